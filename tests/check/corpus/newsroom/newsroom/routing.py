from django.urls import path, re_path

from live.consumers import LiveBlogConsumer, NewsroomPresenceConsumer, TickerConsumer

websocket_urlpatterns = [
    re_path(r"ws/live/(?P<slug>[-\w]+)/$", LiveBlogConsumer.as_asgi()),
    path("ws/newsroom/", NewsroomPresenceConsumer.as_asgi()),
    path("ws/ticker/", TickerConsumer.as_asgi()),
]
