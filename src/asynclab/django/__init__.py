"""asynclab's Django app: add ``"asynclab.django"`` to ``INSTALLED_APPS``.

- ``asynclab.django.middleware.ProbeMiddleware`` profiles each request (sync/async switches,
  CPU, database and HTTP time, event-loop blocks) into a ``Server-Timing`` header and a log
  line on the ``asynclab.probe`` logger. It is off unless the setting ``ASYNCLAB_PROBE`` is
  true, and then best placed first in ``MIDDLEWARE``.
"""
