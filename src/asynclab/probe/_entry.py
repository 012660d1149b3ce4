"""The entry points the probe's servers load (``asynclab.probe._entry:wsgi`` / ``:asgi``):
the user's project, instrumented.

Read from the environment the probe sets: ``ASYNCLAB_PROBE_TOKEN`` (the control path's
token), ``ASYNCLAB_PROBE_WSGI`` / ``ASYNCLAB_PROBE_ASGI`` (the project's own application as
``module:attribute``; Django's default handler otherwise) and
``ASYNCLAB_PROBE_BLOCK_MS`` (the watchdog's threshold), ``ASYNCLAB_PROBE_SAMPLE_EVERY`` (profile
one request in this many; the probe changes it over the control path).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from asynclab.probe._hosting import Instrumentation, InstrumentedASGI, InstrumentedWSGI


def _instrumentation() -> Instrumentation:
    # Installed before the project's application is built: the crossings Django sets up while
    # loading its middleware are then timed too.
    threshold_ms = float(os.environ.get("ASYNCLAB_PROBE_BLOCK_MS", "20"))
    instrumentation = Instrumentation.install(threshold_ms / 1000)
    instrumentation.sample_every = max(1, int(os.environ.get("ASYNCLAB_PROBE_SAMPLE_EVERY", "1")))
    return instrumentation


def _import(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute or "application")


def _build(interface: str) -> Any:
    instrumentation = _instrumentation()
    token = os.environ.get("ASYNCLAB_PROBE_TOKEN")
    target = os.environ.get(f"ASYNCLAB_PROBE_{interface.upper()}")
    if interface == "wsgi":
        from django.core.wsgi import get_wsgi_application

        return InstrumentedWSGI(
            _import(target) if target else get_wsgi_application(), instrumentation, token
        )
    from django.core.asgi import get_asgi_application

    return InstrumentedASGI(
        _import(target) if target else get_asgi_application(), instrumentation, token
    )


def __getattr__(name: str) -> Any:
    # Built on first access, so that a WSGI server never builds the ASGI handler, or back.
    if name in ("wsgi", "asgi"):
        application = _build(name)
        globals()[name] = application
        return application
    raise AttributeError(name)
