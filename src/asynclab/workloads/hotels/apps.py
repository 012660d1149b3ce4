from django.apps import AppConfig


class HotelsConfig(AppConfig):
    name = "asynclab.workloads.hotels"
    label = "hotels"
    default_auto_field = "django.db.models.BigAutoField"
