"""Where nothing concurrent runs (async tests under DJANGO_ALLOW_ASYNC_UNSAFE, one-shot
scripts), findings are info and say why; everywhere else they keep their severity."""

from __future__ import annotations

from pathlib import Path

from asynclab.check import CheckConfig, check_paths

MODELS = (
    "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.TextField()\n"
)
ASYNC_TEST = """
from app.models import Item


async def test_items():
    assert Item.objects.count() == 0
"""
SERVED = """
import time

from app.models import Item


async def items(request):
    time.sleep(1)
    return Item.objects.count()
"""
SCRIPT = """
import asyncio
import subprocess


async def main():
    subprocess.run(["ls"])


if __name__ == "__main__":
    asyncio.run(main())
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _severities(root: Path) -> dict[tuple[str, str], tuple[str, str]]:
    report = check_paths([root], CheckConfig(), root=root)
    return {(f.location.path, f.rule): (f.severity, f.message) for f in report.findings}


def test_async_tests_are_info_when_the_project_allows_async_unsafe(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/views.py": SERVED,
        "app/tests/__init__.py": "",
        "app/tests/test_items.py": ASYNC_TEST,
    }
    plain = _severities(_write(tmp_path / "plain", files))
    assert plain[("app/tests/test_items.py", "AL101")][0] == "error"
    allowing = {
        **files,
        "conftest.py": 'import os\nos.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"\n',
    }
    found = _severities(_write(tmp_path / "allowing", allowing))
    severity, message = found[("app/tests/test_items.py", "AL101")]
    assert severity == "info" and "DJANGO_ALLOW_ASYNC_UNSAFE set (conftest.py)" in message
    # served code is not test code: it keeps its severity
    assert found[("app/views.py", "AL101")][0] == "error"
    assert found[("app/views.py", "AL202")][0] == "warning"


def test_a_pytest_configuration_that_sets_it_counts(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/tests/test_items.py": ASYNC_TEST,
        "pytest.ini": "[pytest]\nenv =\n    DJANGO_ALLOW_ASYNC_UNSAFE=true\n",
    }
    found = _severities(_write(tmp_path, files))
    assert found[("app/tests/test_items.py", "AL101")][0] == "info"


def test_a_script_run_with_asyncio_run_is_info(tmp_path: Path) -> None:
    files = {
        "scripts/sync_files.py": SCRIPT,
        "app/__init__.py": "",
        "app/views.py": SCRIPT.replace("async def main", "async def view"),
    }
    found = _severities(_write(tmp_path, files))
    severity, message = found[("scripts/sync_files.py", "AL204")]
    assert severity == "info" and "one-shot script run with asyncio.run" in message
    assert found[("app/views.py", "AL204")][0] == "warning"  # a views module serves requests


def test_blocking_calls_in_tests_are_info_but_sync_orm_there_stays_an_error(
    tmp_path: Path,
) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/tests/test_items.py": ASYNC_TEST + "\n\nasync def test_sleep():\n"
        "    import time\n\n    time.sleep(1)\n",
    }
    found = _severities(_write(tmp_path, files))
    severity, message = found[("app/tests/test_items.py", "AL202")]
    assert severity == "info" and "in test code" in message
    assert found[("app/tests/test_items.py", "AL101")][0] == "error"


def test_a_service_started_with_asyncio_run_is_not_a_one_shot_script(tmp_path: Path) -> None:
    service = SCRIPT.replace(
        '    subprocess.run(["ls"])\n',
        '    subprocess.run(["ls"])\n    server = await asyncio.start_server(print, port=9)\n'
        "    await server.serve_forever()\n",
    )
    found = _severities(_write(tmp_path, {"worker.py": service}))
    assert found[("worker.py", "AL204")][0] == "warning"
