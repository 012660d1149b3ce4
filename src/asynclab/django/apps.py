"""The app config of ``asynclab.django``."""

from __future__ import annotations

from django.apps import AppConfig


class AsynclabConfig(AppConfig):
    name = "asynclab.django"
    label = "asynclab"
    verbose_name = "asynclab"
