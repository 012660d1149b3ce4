"""The probe: asynclab's measurements applied to the user's own Django project.

Two halves that never import each other's dependencies:

- the instrumentation (``_profile``, ``_hooks``, ``_watchdog``, ``_collector``, ``_hosting``),
  which runs inside the user's project, in the user's interpreter, and needs only Django and
  asgiref (its public face is the Django app ``asynclab.django``);
- the command (``_command`` and what it uses), which runs in asynclab's own interpreter,
  starts the project under the testbed's servers and drives it with the load generator.

This package's ``__init__`` stays empty of imports so that the project's interpreter can load
the instrumentation without asynclab's own dependencies.
"""
