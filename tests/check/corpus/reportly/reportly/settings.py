import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ["REPORTLY_SECRET_KEY"] if "REPORTLY_SECRET_KEY" in os.environ else "reportly-dev"
DEBUG = True
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "reportly.middleware.QueryCountMiddleware",
]

ROOT_URLCONF = "reportly.urls"
WSGI_APPLICATION = "reportly.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "reportly"),
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

WAREHOUSE_DSN = os.environ.get("WAREHOUSE_DSN", "postgresql://reader@warehouse.internal:5432/dw")
WAREHOUSE_HOST = "warehouse.internal"
SCRATCH_DB = os.environ.get("SCRATCH_DB", "/var/lib/reportly/scratch.sqlite3")
EXPORT_ROOT = os.environ.get("EXPORT_ROOT", "/var/lib/reportly/exports")
IMPORT_ARCHIVE = os.environ.get("IMPORT_ARCHIVE", "/var/lib/reportly/imports")
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", "/var/lib/reportly/media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"

EMAIL_HOST = os.environ.get("EMAIL_HOST", "smtp.internal")
EMAIL_PORT = 587
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "reportly")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = "reports@example.com"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
