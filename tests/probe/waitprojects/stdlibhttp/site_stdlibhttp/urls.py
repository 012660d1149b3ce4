from django.urls import path

from site_stdlibhttp import views

urlpatterns = [path(f"{name.replace('_', '-')}/", view) for name, view in views.VIEWS.items()]
