"""Metadata about the machine and software a measurement ran on.

Results carry it (as pyperf's do) so that a number is never separated from where it came from.
"""

import datetime as _dt
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from asynclab import __version__


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def collect_environment(*packages: str) -> dict[str, Any]:
    """Describe this machine and the versions of asynclab, Python and the named packages."""
    return {
        "asynclab": __version__,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": sorted(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "packages": {name: _package_version(name) for name in packages},
        "recorded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
