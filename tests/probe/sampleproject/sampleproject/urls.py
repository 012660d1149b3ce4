from django.urls import path

from sampleproject import views

urlpatterns = [
    path("cpu/", views.cpu),
    path("one-call/", views.one_call),
    path("three-calls/", views.three_calls),
    path("orm/", views.orm),
    path("stdlib-calls/", views.stdlib_calls),
    path("sleeps-and-waits/", views.sleeps_and_waits),
    path("redis-wait/", views.redis_wait),
    path("raw-socket/", views.raw_socket),
    path("async-calls/", views.async_calls),
    path("async-quick-calls/", views.async_quick_calls),
    path("async-blocks/", views.async_blocks),
    path("async-hello/", views.async_hello),
    path("sync-hello/", views.sync_hello),
]
