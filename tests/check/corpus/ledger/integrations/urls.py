from django.urls import path

from . import views

urlpatterns = [
    path("gateway/webhook/", views.gateway_webhook),
    path("gateway/health/", views.gateway_health),
    path("legacy/<str:number>/", views.legacy_balance),
    path("archive/export/", views.archive_export),
    path("queue/replay/", views.replay_queue),
    path("receipts/<int:pk>/", views.send_receipt),
]
