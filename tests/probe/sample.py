"""The sample project the probe's tests run: where it is, its environment, its database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SAMPLE = HERE / "sampleproject"


def sample_env(middleware: str = "", **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(SAMPLE), os.environ.get("PYTHONPATH", "")]),
        DJANGO_SETTINGS_MODULE="sampleproject.settings",
        SAMPLE_MIDDLEWARE=middleware,
        **extra,
    )


def migrate(database: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
        env=sample_env(SAMPLE_DB=str(database)),
        check=True,
        cwd=SAMPLE,
    )
