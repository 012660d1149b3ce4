from django.urls import path

from . import views

urlpatterns = [
    path("", views.reports_index),
    path("filters/", views.report_filters),
    path("slow/", views.slow_report),
    path("customers/<int:customer_id>/", views.customer_report),
    path("customers/<int:customer_id>/close/", views.close_period),
]
