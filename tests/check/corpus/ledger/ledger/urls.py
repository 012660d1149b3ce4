from django.urls import include, path

urlpatterns = [
    path("billing/", include("billing.urls")),
    path("integrations/", include("integrations.urls")),
    path("reports/", include("reports.urls")),
]
