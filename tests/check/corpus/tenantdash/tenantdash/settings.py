import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = [".tenantdash.io", "localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "accounts",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # expect: AL402
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tenantdash.middleware.TenantHostMiddleware",
    "tenantdash.middleware.RequestTimingMiddleware",
    "tenantdash.middleware.AuditTrailMiddleware",  # expect: AL402
    "tenantdash.middleware.security_headers_middleware",
    "tenantdash.middleware.request_id_middleware",  # expect: AL402
]

ROOT_URLCONF = "tenantdash.urls"
ASGI_APPLICATION = "tenantdash.asgi.application"
WSGI_APPLICATION = "tenantdash.wsgi.application"

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
        "NAME": os.environ.get("PGDATABASE", "tenantdash"),
        "USER": os.environ.get("PGUSER", "tenantdash"),
        "PASSWORD": os.environ.get("PGPASSWORD", ""),
        "HOST": os.environ.get("PGHOST", "localhost"),
        "CONN_MAX_AGE": 0,
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://localhost:6379/1"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DEFAULT_FROM_EMAIL = "Tenantdash <noreply@tenantdash.io>"
BILLING_EMAIL = "billing@tenantdash.io"

TENANT_BUCKET = os.environ.get("TENANT_BUCKET", "tenantdash-dev")
OBJECT_STORAGE_ENDPOINT = os.environ.get("OBJECT_STORAGE_ENDPOINT", "https://s3.eu-west-1.example.com")
OBJECT_STORAGE_SIGNING_KEY = os.environ.get("OBJECT_STORAGE_SIGNING_KEY", "dev")

PAYMENTS_API_KEY = os.environ.get("PAYMENTS_API_KEY", "sk_test_dev")
PAYMENTS_WEBHOOK_SECRET = os.environ.get("PAYMENTS_WEBHOOK_SECRET", "whsec_dev")
PLANS = {"starter": "price_starter_m", "team": "price_team_m", "scale": "price_scale_m"}
