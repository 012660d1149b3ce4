WSGI_APPLICATION = "mysite.wsgi.application"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "app.middleware.TimingMiddleware",
]
