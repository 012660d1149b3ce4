import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "newsroom-dev")
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = ["news.example.org", "localhost"]
SITE_URL = "https://news.example.org"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "reversion",
    "silk",
    "articles.apps.ArticlesConfig",
    "live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "silk.middleware.SilkyMiddleware",  # expect: AL402
    "reversion.middleware.RevisionMiddleware",  # expect: AL402
    "newsroom.middleware.PreviewTokenMiddleware",
    "newsroom.middleware.EditionHeaderMiddleware",
    "newsroom.middleware.LegacyRedirectMiddleware",  # expect: AL402
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "newsroom",
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{REDIS_URL}/2"},
    "fragments": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{REDIS_URL}/3", "TIMEOUT": 300},
}

CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [f"{REDIS_URL}/4"]}},
}

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", "/srv/newsroom/media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ADMINS = [("Desk", "desk@example.org")]
DEFAULT_FROM_EMAIL = "newsroom@example.org"
LOGIN_URL = "/editor/login/"
