"""A small project of views with known shapes, for the probe's tests (see views.py)."""

import os

SECRET_KEY = "asynclab-sample-project"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "sampleproject.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "asynclab.django"]
# The tests build known stacks through this variable; by default one sync-only layer.
MIDDLEWARE = [
    path
    for path in os.environ.get(
        "SAMPLE_MIDDLEWARE", "sampleproject.middleware.SyncOnlyMiddleware"
    ).split(",")
    if path
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SAMPLE_DB", ":memory:"),
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
ASYNCLAB_PROBE = os.environ.get("SAMPLE_PROBE_MIDDLEWARE") == "1"
