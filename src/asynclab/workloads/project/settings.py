"""Settings of the workload project: minimal, so that what is measured is the scenario itself."""

# The project only ever binds loopback (asynclab refuses anything else), and holds no secrets.
SECRET_KEY = "asynclab-workloads-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "asynclab.workloads.project.urls"
INSTALLED_APPS: list[str] = []
# Scenarios that need middleware add it themselves; an empty stack means no sync/async switch
# is paid for middleware in the baseline.
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
WSGI_APPLICATION = "asynclab.workloads.project.wsgi.application"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
