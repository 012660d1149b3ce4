import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asynclab.workloads.project.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from asynclab.workloads.project.handlers import asgi_application  # noqa: E402

# Django's handler as get_asgi_application() makes it, unless the run asks what makes each
# request's thread (WorkloadConfig.request_hops).
application = asgi_application(settings.CONFIG.request_hops)
if settings.CONFIG.count_crossings:
    from asynclab.workloads.project.counters import CrossingCounter

    application = CrossingCounter(application)

# Load the views now rather than on the first request: the first request would otherwise pay
# for it, and the cpu scenario calibrates itself when it loads.
import asynclab.workloads.project.urls  # noqa: E402, F401
