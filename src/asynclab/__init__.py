"""asynclab: measure whether async actually helps a Django app, and where it hurts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("asynclab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
