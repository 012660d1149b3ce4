from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/legacy/", views.legacy_login, name="legacy-login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.change_password, name="password"),
    path("lookup/<str:username>/", views.user_lookup, name="lookup"),
]
