from django.urls import path

from rooms import views

urlpatterns = [
    path("", views.room_list),
    path("r/<slug:name>/", views.room_detail),
    path("r/<slug:name>/stats/", views.room_stats),
    path("r/<slug:name>/search/", views.MessageSearchView.as_view()),
    path("ice/", views.ice_config),
    path("health/", views.HealthView.as_view()),
]
