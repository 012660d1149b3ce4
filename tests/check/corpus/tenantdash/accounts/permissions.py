from django.core.cache import cache
from django.http import JsonResponse

from accounts.models import Membership


class TenantMemberRequiredMixin:
    """Loads self.membership / self.tenant for /api/t/<tenant_slug>/... endpoints."""

    required_roles = ("owner", "admin", "member")

    async def dispatch(self, request, *args, **kwargs):
        user = await request.auser()
        if not user.is_authenticated:
            return JsonResponse({"error": "authentication required"}, status=401)
        membership = await Membership.objects.select_related("tenant").filter(user=user, tenant__slug=kwargs.get("tenant_slug")).afirst()
        if membership is None or membership.role not in self.required_roles:
            return JsonResponse({"error": "forbidden"}, status=403)
        self.membership = membership
        self.tenant = membership.tenant
        return await super().dispatch(request, *args, **kwargs)


class OwnerRequiredMixin(TenantMemberRequiredMixin):
    required_roles = ("owner",)


class StaffOnlyMixin:
    async def dispatch(self, request, *args, **kwargs):
        if not request.user.is_staff:  # expect: AL105
            return JsonResponse({"error": "staff only"}, status=403)
        return await super().dispatch(request, *args, **kwargs)


class RateLimitMixin:
    rate_limit = 60
    rate_window = 60

    def is_rate_limited(self, request):
        key = "rl:%s:%s" % (self.__class__.__name__, request.META.get("REMOTE_ADDR", "-"))
        count = cache.get_or_set(key, 0, self.rate_window)
        cache.incr(key)
        return count >= self.rate_limit

    async def dispatch(self, request, *args, **kwargs):
        if self.is_rate_limited(request):  # expect: AL207
            return JsonResponse({"error": "slow down"}, status=429)
        return await super().dispatch(request, *args, **kwargs)
