"""Settings of the workload project: minimal, so that what is measured is the scenario itself.

What varies between runs (database, upstream URL, interface, middleware stack) comes from the
WorkloadConfig the lab passes in the environment.
"""

from typing import Any

from asynclab.workloads._config import WorkloadConfig

CONFIG = WorkloadConfig.from_env()

# The project only ever binds loopback (asynclab refuses anything else), and holds no secrets.
SECRET_KEY = "asynclab-workloads-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "asynclab.workloads.project.urls"
INSTALLED_APPS = ["asynclab.workloads.hotels"]
USE_TZ = True
WSGI_APPLICATION = "asynclab.workloads.project.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {},
    }
]

_LAYER = "asynclab.workloads.scenarios.middleware."
_LAYERS = {
    "async-stack": [_LAYER + "AsyncCapableLayer"],
    "sync-stack": [_LAYER + "SyncOnlyLayer"],
    # Sync-only and async-only in turn: Django adapts at every boundary, one switch a layer.
    "mixed-stack": [_LAYER + "SyncOnlyLayer", _LAYER + "AsyncOnlyLayer"],
}
# Only the middleware scenario has a stack: an empty one means no sync/async switch is paid
# for middleware by the other scenarios.
_CYCLE = _LAYERS.get(CONFIG.middleware_stack, [])
MIDDLEWARE: list[str] = (
    [_CYCLE[i % len(_CYCLE)] for i in range(CONFIG.middleware_depth)] if _CYCLE else []
)


def _database() -> dict[str, Any]:
    database = CONFIG.database
    if database.engine == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(database.sqlite_path),
            "OPTIONS": {"timeout": 20},
        }
    # Django's pool (5.1+) instead of persistent connections: CONN_MAX_AGE must stay 0 under
    # ASGI (Django's docs), and the pool refuses anything else anyway.
    return {
        "ENGINE": "django.db.backends.postgresql",
        **database.postgres_params(),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": CONFIG.db_pool_size, "timeout": 30}},
    }


DATABASES = {"default": _database()}
if CONFIG.async_backend and CONFIG.database.engine == "postgres":
    # django-async-backend: the same PostgreSQL through its engine, whose async_objects run
    # queries on psycopg's AsyncConnection (no thread). Its app gives every model that
    # manager and closes the async connections at each request's end. No pool: the engine
    # refuses Django's sync pool, and its own needs the pool extra.
    DATABASES["default"] = {
        **DATABASES["default"],
        "ENGINE": "django_async_backend.db.backends.postgresql",
        "OPTIONS": {},
    }
    INSTALLED_APPS = [*INSTALLED_APPS, "django_async_backend"]
# The upload scenario reads bodies of any size through request.body (Django refuses those
# over 2.5 MB by default); multipart files over 2.5 MB still spool to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = None
# The chat scenario (Django Channels): in-memory layer by default, Redis when asked for.
ASGI_APPLICATION = "asynclab.workloads.project.asgi_channels.application"  # for runserver
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    if CONFIG.channel_layer != "redis"
    else {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # Each consumer waits for its messages on a connection of its own: redis-py's default
        # pool of 100 connections would refuse the 101st member.
        "CONFIG": {"hosts": [{"address": CONFIG.redis_url, "max_connections": 10_000}]},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A 400 for a bad parameter is an answer, not news: only server errors are logged.
    "loggers": {"django.request": {"level": "ERROR"}},
}
