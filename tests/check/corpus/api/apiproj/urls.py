from django.urls import path

from core import views

urlpatterns = [
    path("auth/login/", views.login_view),
    path("auth/legacy-login/", views.legacy_login),
    path("auth/logout/", views.logout_view),
    path("keys/verify/", views.verify_key),
    path("orgs/<int:org_id>/export/", views.event_export),
    path("events/purge/", views.purge_events),
    path("events/<int:pk>/webhook/", views.fire_webhook),
    path("health/db/", views.db_health),
    path("ping/", views.throttled_ping),
    path("invite/", views.invite),
    path("me/", views.ProfileView.as_view()),
    path("backup/", views.backup),
]
