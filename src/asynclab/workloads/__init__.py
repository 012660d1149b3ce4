"""The Django project the lab serves: each scenario written as paired sync and async views.

It is a real Django project shipped inside the package, so that every server family loads
exactly the same application, by the dotted paths below.
"""

SETTINGS_MODULE = "asynclab.workloads.project.settings"
WSGI_APPLICATION = "asynclab.workloads.project.wsgi:application"
ASGI_APPLICATION = "asynclab.workloads.project.asgi:application"

__all__ = ["ASGI_APPLICATION", "SETTINGS_MODULE", "WSGI_APPLICATION"]
