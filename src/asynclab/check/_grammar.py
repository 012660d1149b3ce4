"""Newer Python syntax than this interpreter reads (PEP 695 generics, PEP 701 f-strings).

asynclab reads code with the ``ast`` of the Python it runs on. A file that only a newer
grammar parses is not broken: the finding says which Python parses it, found by asking the
newer interpreters on this machine (on PATH, or pyenv's), so the user knows to run asynclab
under it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_NEWEST_MINOR = 15  # looked for up to Python 3.15
_PARSE = "import ast, sys; ast.parse(open(sys.argv[1], 'rb').read())"


@dataclass
class NewerGrammars:
    """The newer interpreters of this machine, found once per check run, on first need."""

    _found: list[tuple[str, str]] | None = field(default=None, repr=False)

    def parses(self, path: Path) -> str | None:
        """The oldest newer Python ("3.12") whose grammar parses ``path``, or None."""
        for version, python in self._interpreters():
            try:
                done = subprocess.run(
                    [python, "-c", _PARSE, str(path)],
                    capture_output=True,
                    timeout=20,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError):
                continue
            if done.returncode == 0:
                return version
        return None

    def _interpreters(self) -> list[tuple[str, str]]:
        if self._found is None:
            self._found = []
            home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
            for minor in range(sys.version_info.minor + 1, _NEWEST_MINOR + 1):
                name = f"python3.{minor}"
                pyenv = sorted(glob.glob(str(home / "versions" / f"3.{minor}.*" / "bin" / name)))
                python = pyenv[-1] if pyenv else shutil.which(name)
                if python is not None:
                    self._found.append((f"3.{minor}", python))
        return self._found
