import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asynclab.workloads.project.settings")
application = get_asgi_application()

# Load the views now rather than on the first request: the first request would otherwise pay
# for it, and the cpu scenario calibrates itself when it loads.
import asynclab.workloads.project.urls  # noqa: E402, F401
