from django.urls import path

from site_socketproto import views

urlpatterns = [path(f"{name.replace('_', '-')}/", view) for name, view in views.VIEWS.items()]
