"""The app config of ``asynclab.django``."""

from __future__ import annotations

import os

from django.apps import AppConfig
from django.conf import settings


class AsynclabConfig(AppConfig):
    name = "asynclab.django"
    label = "asynclab"
    verbose_name = "asynclab"

    def ready(self) -> None:
        # Importing the module registers the system checks (``manage.py check --tag async``).
        from asynclab.django import checks  # noqa: F401

        # With ASYNCLAB_PROBE on, the hooks go in now, before Django builds its handler: the
        # adapters it makes around middleware are then timed like any other crossing.
        # (Under ``asynclab probe`` its own entry point has installed them already.)
        if getattr(settings, "ASYNCLAB_PROBE", False) and not os.environ.get(
            "ASYNCLAB_PROBE_TOKEN"
        ):
            from asynclab.django.middleware import install

            install()
