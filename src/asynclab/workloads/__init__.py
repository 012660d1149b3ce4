"""The Django project the lab serves: each scenario written as paired sync and async views.

It is a real Django project shipped inside the package, so that every server family loads
exactly the same application, by the dotted paths below.
"""

from asynclab.workloads._catalog import (
    PARTIAL_HEADER,
    SCENARIOS,
    InvalidParameter,
    ParamSpec,
    ScenarioSpec,
    get_scenario,
)
from asynclab.workloads._config import (
    ASGI_APPLICATION,
    CHANNELS_APPLICATION,
    COUNTERS_PATH,
    SETTINGS_MODULE,
    WSGI_APPLICATION,
    DatabaseConfig,
    WorkloadConfig,
    cache_dir,
)
from asynclab.workloads._cpu_work import calibrate as calibrate_cpu_work
from asynclab.workloads._prepare import (
    check_postgres_reachable,
    check_redis_reachable,
    prepare_database,
)

__all__ = [
    "ASGI_APPLICATION",
    "CHANNELS_APPLICATION",
    "COUNTERS_PATH",
    "PARTIAL_HEADER",
    "SCENARIOS",
    "SETTINGS_MODULE",
    "WSGI_APPLICATION",
    "DatabaseConfig",
    "InvalidParameter",
    "ParamSpec",
    "ScenarioSpec",
    "WorkloadConfig",
    "cache_dir",
    "calibrate_cpu_work",
    "check_postgres_reachable",
    "check_redis_reachable",
    "get_scenario",
    "prepare_database",
]
