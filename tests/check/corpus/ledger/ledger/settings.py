import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key")
DEBUG = True
ALLOWED_HOSTS = ["localhost", "ledger.internal"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "silk",
    "reversion",
    "billing",
    "integrations",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "silk.middleware.SilkyMiddleware",  # expect: AL402
    "reversion.middleware.RevisionMiddleware",  # expect: AL402
    "ledger.middleware.TenantMiddleware",
    "ledger.middleware.AuditMiddleware",  # expect: AL402
    "ledger.middleware.timezone_middleware",
]

ROOT_URLCONF = "ledger.urls"
WSGI_APPLICATION = "ledger.wsgi.application"
ASGI_APPLICATION = "ledger.asgi.application"

DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "ledger"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://localhost:6379/0"},
    "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://localhost:6379/2"},
}

REDIS_URL = "redis://localhost:6379/3"
REDIS_HOST = "localhost"
LEGACY_DSN = os.environ.get("LEGACY_DSN", "dbname=legacy")
ARCHIVE_DB = BASE_DIR / "archive.sqlite3"
EMAIL_HOST = "smtp.internal"
DEFAULT_FROM_EMAIL = "billing@ledger.internal"
ACCOUNTING_EMAIL = "accounting@ledger.internal"
GATEWAY_SECRET_HASH = os.environ.get("GATEWAY_SECRET_HASH", "").encode()
