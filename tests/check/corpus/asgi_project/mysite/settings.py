ASGI_APPLICATION = "mysite.asgi.application"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # expect: AL402
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "app.middleware.TimingMiddleware",  # expect: AL402
    "app.middleware.AsyncTimingMiddleware",
    "app.middleware.MixinMiddleware",
    "app.middleware.timing_factory",  # expect: AL402
    "app.middleware.async_factory",
    "somelib.middleware.UnknownMiddleware",
]
MIDDLEWARE += ["app.middleware.SubclassedTiming"]  # expect: AL402
