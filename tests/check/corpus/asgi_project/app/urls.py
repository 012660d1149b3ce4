from django.urls import path

from . import views
from .routed import routed_view

urlpatterns = [
    path("status/", views.status),
    path("health/", views.health),
    path("report/", views.Report.as_view()),
    path("routed/", routed_view),
]
