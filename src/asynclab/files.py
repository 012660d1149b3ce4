"""Writing result files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from asynclab.errors import UsageError


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so it is all or nothing."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path, *, what: str) -> None:
    """Refuse an output path that cannot be written before measuring, not after."""
    if path.is_dir():
        raise UsageError(f"{what} {str(path)!r} is a directory: give a file name")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=parent, prefix=".asynclab-probe-")  # noqa: SIM115
        probe.close()
    except OSError as exc:
        raise UsageError(f"cannot write {what} {str(path)!r}: {exc.strerror}") from exc
