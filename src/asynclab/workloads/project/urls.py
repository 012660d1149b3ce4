from django.urls import path

from asynclab.workloads.scenarios import hello

urlpatterns = [
    path("hello/sync", hello.hello_sync),
    path("hello/async", hello.hello_async),
]
