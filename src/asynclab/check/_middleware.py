"""What common third-party middleware declare about async, read from their released source.

Each entry: dotted path -> ("async" | "mixin" | "sync-only", evidence). "mixin" classes derive
from Django's MiddlewareMixin: async capable, but their sync hooks run in a thread. Classes not
listed here and not in the checked code are unknown to the static check (the system check,
``manage.py check --tag async``, imports the real class and knows).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Read from each package's newest release on PyPI, 2026-11-22 (the version is in the evidence).
# Django's own middleware not listed here derive from MiddlewareMixin.
KNOWN_MIDDLEWARE: Mapping[str, tuple[str | None, str]] = MappingProxyType(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware": (
            "sync-only",
            "whitenoise 6.12.0: a plain class with a sync __call__",
        ),
        "corsheaders.middleware.CorsMiddleware": (
            "async",
            "django-cors-headers 4.9.0: async_capable = True, async __acall__",
        ),
        "debug_toolbar.middleware.DebugToolbarMiddleware": (
            "async",
            "django-debug-toolbar 8.0.0: async __acall__ (its default callback runs in a thread)",
        ),
        "silk.middleware.SilkyMiddleware": (
            "sync-only",
            "django-silk 5.6.0: a plain class with a sync __call__",
        ),
        "allauth.account.middleware.AccountMiddleware": (
            "async",
            "django-allauth 65.21.1: @sync_and_async_middleware",
        ),
        "allauth.usersessions.middleware.UserSessionsMiddleware": (
            "sync-only",
            "django-allauth 65.21.1: a plain class with a sync __call__",
        ),
        "django_htmx.middleware.HtmxMiddleware": (
            "async",
            "django-htmx 1.29.0: async_capable = True, async __acall__",
        ),
        "csp.middleware.CSPMiddleware": ("mixin", "django-csp 4.0: MiddlewareMixin"),
        "simple_history.middleware.HistoryRequestMiddleware": (
            "async",
            "django-simple-history 3.13.0: @sync_and_async_middleware",
        ),
        "django_prometheus.middleware.PrometheusBeforeMiddleware": (
            "mixin",
            "django-prometheus 2.5.0: MiddlewareMixin",
        ),
        "django_prometheus.middleware.PrometheusAfterMiddleware": (
            "mixin",
            "django-prometheus 2.5.0: MiddlewareMixin",
        ),
        "axes.middleware.AxesMiddleware": (
            "async",
            "django-axes 8.3.1: async_capable = True, async __acall__",
        ),
        "django_otp.middleware.OTPMiddleware": (
            "async",
            "django-otp 1.7.5: async_capable = True, async __acall__",
        ),
        "hijack.middleware.HijackUserMiddleware": ("mixin", "django-hijack 3.7.9: MiddlewareMixin"),
        "django_browser_reload.middleware.BrowserReloadMiddleware": (
            "async",
            "django-browser-reload 1.21.0: async_capable = True, async __acall__",
        ),
        "django_structlog.middlewares.RequestMiddleware": (
            "async",
            "django-structlog 11.0.0: async __acall__ (two of its steps run in a thread)",
        ),
        "auditlog.middleware.AuditlogMiddleware": (
            "sync-only",
            "django-auditlog 3.4.1: a plain class with a sync __call__",
        ),
        "django_user_agents.middleware.UserAgentMiddleware": (
            "sync-only",
            "django-user-agents 0.4.0: a plain class with a sync __call__",
        ),
        "waffle.middleware.WaffleMiddleware": ("mixin", "django-waffle 5.0.0: MiddlewareMixin"),
        "django_tenants.middleware.main.TenantMainMiddleware": (
            "mixin",
            "django-tenants 4.0.1: MiddlewareMixin",
        ),
        "django_tenants.middleware.TenantMainMiddleware": (
            "mixin",
            "django-tenants 4.0.1: MiddlewareMixin",
        ),
        "django_cprofile_middleware.middleware.ProfilerMiddleware": (
            "mixin",
            "django-cprofile-middleware 1.0.5: MiddlewareMixin",
        ),
        "request_logging.middleware.LoggingMiddleware": (
            "sync-only",
            "django-request-logging 0.7.5: a plain class with a sync __call__",
        ),
        "django_ratelimit.middleware.RatelimitMiddleware": (
            "sync-only",
            "django-ratelimit 4.1.0: a plain class with a sync __call__",
        ),
        "maintenance_mode.middleware.MaintenanceModeMiddleware": (
            "sync-only",
            "django-maintenance-mode 0.23.0: a plain class with a sync __call__",
        ),
        "impersonate.middleware.ImpersonateMiddleware": (
            "mixin",
            "django-impersonate 1.9.5: MiddlewareMixin",
        ),
        "django_referrer_policy.middleware.ReferrerPolicyMiddleware": (
            "sync-only",
            "django-referrer-policy 1.0: a plain class with a sync __call__",
        ),
        "django_permissions_policy.PermissionsPolicyMiddleware": (
            "async",
            "django-permissions-policy 4.34.0: async_capable = True, async __acall__",
        ),
        "reversion.middleware.RevisionMiddleware": (
            "sync-only",
            "django-reversion 6.4.0: a plain class with a sync __call__",
        ),
        "social_django.middleware.SocialAuthExceptionMiddleware": (
            "async",
            "social-auth-app-django 8.0.0: @sync_and_async_middleware",
        ),
        "oauth2_provider.middleware.OAuth2TokenMiddleware": (
            "sync-only",
            "django-oauth-toolkit 3.4.1: a plain class with a sync __call__",
        ),
        "oauth2_provider.middleware.OAuth2ExtraTokenMiddleware": (
            "sync-only",
            "django-oauth-toolkit 3.4.1: a plain class with a sync __call__",
        ),
        "django_guid.middleware.guid_middleware": (
            "async",
            "django-guid 3.6.1: @sync_and_async_middleware",
        ),
        "crum.CurrentRequestUserMiddleware": (
            "sync-only",
            "django-crum 0.7.9: a plain class with a sync __call__",
        ),
        "django_currentuser.middleware.ThreadLocalUserMiddleware": (
            "sync-only",
            "django-currentuser 0.10.0: a plain class with a sync __call__",
        ),
        "django_session_timeout.middleware.SessionTimeoutMiddleware": (
            "mixin",
            "django-session-timeout 0.1.0: MiddlewareMixin",
        ),
        "defender.middleware.FailedLoginMiddleware": (
            "sync-only",
            "django-defender 0.9.8: a plain class with a sync __call__",
        ),
        "querycount.middleware.QueryCountMiddleware": (
            "mixin",
            "django-querycount 0.8.3: MiddlewareMixin",
        ),
        "django.contrib.auth.middleware.RemoteUserMiddleware": (
            "async",
            "Django 5.2: async_capable = True, async __acall__",
        ),
        "django.contrib.auth.middleware.PersistentRemoteUserMiddleware": (
            "async",
            "Django 5.2: async_capable = True, async __acall__",
        ),
    }
)
