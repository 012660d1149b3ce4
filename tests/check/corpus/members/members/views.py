"""Django's contrib managers, permission checks, and objects reached through the project's
object graph (class attributes, lists, models known at run time)."""

from asgiref.sync import sync_to_async
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.cache import cache, caches
from django.http import JsonResponse

BACKENDS = [cache, caches["sessions"]]


class Directory:
    cache = cache  # a class attribute: self.cache is the sync cache

    def __init__(self):
        self.model = Badge_model()

    async def lookup(self, key):
        return self.cache.get(key)  # expect: AL207

    async def badges(self):
        return self.model.objects.count()  # expect: AL101

    async def badges_correctly(self):
        return await self.model.objects.acount()


def Badge_model():
    return apps.get_model("members", "Badge")


def site_name():
    return Site.objects.get_current().name


async def signup(request, user: User):
    site = Site.objects.get_current()  # expect: AL101
    new = User.objects.create_user("ann")  # expect: AL101
    kind = ContentType.objects.get_for_model(User)  # expect: AL101
    allowed = user.has_perm("members.add_badge")  # expect: AL101
    perms = user.get_all_permissions()  # expect: AL101
    Badge = apps.get_model("members", "Badge")
    total = Badge.objects.count()  # expect: AL101
    people = get_user_model().objects.filter(is_active=True).exists()  # expect: AL101
    for backend in BACKENDS:
        backend.delete("signup")  # expect: AL207
    name = await sync_to_async(site_name, thread_sensitive=False)()  # expect: AL106
    return JsonResponse({"site": site.name, "new": new.pk, "kind": kind.pk, "ok": allowed,
                         "perms": len(perms), "total": total, "people": people, "name": name})


async def signup_correctly(request, user: User):
    new = await User.objects.acreate_user("ann")
    allowed = await user.ahas_perm("members.add_badge")
    site = await sync_to_async(Site.objects.get_current)()
    for backend in BACKENDS:
        await backend.adelete("signup")
    return JsonResponse({"new": new.pk, "ok": allowed, "site": site.name})
