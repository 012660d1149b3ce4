import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportly.settings")

app = Celery("reportly")
app.config_from_object("django.conf:settings", namespace="CELERY")
