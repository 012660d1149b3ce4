"""The ASGI application with Django Channels in front: HTTP to Django, WebSockets to the chat.

Only the chat scenario is served through it, so that the other scenarios measure plain Django
under ASGI without Channels' router in the way.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asynclab.workloads.project.settings")
django_application = get_asgi_application()  # sets Django up before the consumers import it

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from asynclab.workloads.scenarios.chat import AsyncChatConsumer, SyncChatConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(
            [
                path("chat/async/<str:room>", AsyncChatConsumer.as_asgi()),
                path("chat/sync/<str:room>", SyncChatConsumer.as_asgi()),
            ]
        ),
    }
)
