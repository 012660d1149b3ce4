from .settings import *  # noqa: F403

MIDDLEWARE += ["silk.middleware.SilkyMiddleware"]  # expect: AL402
