"""Python environments pinned to other versions of Django, asgiref and the servers, built
once and reused, for ``asynclab run --versions`` (each one runs the lab in its own venv)."""

from asynclab.envs._build import (
    BuiltEnvironment,
    EnvironmentBuildError,
    default_root,
    prepare_environment,
)
from asynclab.envs._spec import VersionSpec

__all__ = [
    "BuiltEnvironment",
    "EnvironmentBuildError",
    "VersionSpec",
    "default_root",
    "prepare_environment",
]
