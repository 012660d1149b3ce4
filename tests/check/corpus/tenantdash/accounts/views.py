import asyncio
import csv
import json
import logging
import secrets

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import aauthenticate, alogin, get_user_model, logout
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View

from accounts.models import ApiKey, Membership, Project, Tenant
from accounts.permissions import OwnerRequiredMixin, RateLimitMixin, StaffOnlyMixin, TenantMemberRequiredMixin
from accounts.tenancy import seat_usage, serialize_project
from clients.geo import domain_resolves, lookup_country
from clients.storage import ObjectStorage

logger = logging.getLogger(__name__)
User = get_user_model()


def healthz(request):  # expect: AL403
    return HttpResponse("ok", content_type="text/plain")


def _json_error(request, message, status=400):
    logger.info("api error on %s: %s", request.path, message)
    return JsonResponse({"error": message}, status=status)


@sync_to_async
def _purge_tenant_rows(tenant):
    with transaction.atomic():
        ApiKey.objects.filter(tenant=tenant).delete()
        Project.objects.filter(tenant=tenant).delete()


class LoginView(View):
    async def post(self, request):
        payload = json.loads(request.body or b"{}")
        user = await aauthenticate(request, username=payload.get("username"), password=payload.get("password"))
        if user is None:
            return _json_error(request, "invalid credentials", status=401)
        await alogin(request, user)
        return JsonResponse({"ok": True})


class LogoutView(View):
    async def post(self, request):
        logout(request)  # expect: AL101
        return HttpResponse(status=204)


class ProjectListView(TenantMemberRequiredMixin, View):
    async def get(self, request, tenant_slug):
        qs = Project.objects.filter(tenant=self.tenant, archived=False).order_by("-id")
        if request.GET.get("mine"):
            qs = qs.filter(owner=request.user)  # expect: AL105
        total = qs.count()  # expect: AL101
        page = [serialize_project(p) async for p in qs[:50]]
        return JsonResponse({"total": total, "results": page})

    async def post(self, request, tenant_slug):
        payload = json.loads(request.body or b"{}")
        name = (payload.get("name") or "").strip()
        if not name:
            return _json_error(request, "name is required")
        if await Project.objects.filter(tenant=self.tenant, name__iexact=name).aexists():
            return _json_error(request, "duplicate name", status=409)
        user = await request.auser()
        project = await Project.objects.acreate(tenant=self.tenant, owner=user, name=name)
        await cache.adelete(f"overview:{self.tenant.pk}")
        return JsonResponse(serialize_project(project), status=201)


class ProjectDetailView(TenantMemberRequiredMixin, View):
    async def get(self, request, tenant_slug, pk):
        project = await Project.objects.aget(pk=pk, tenant=self.tenant)
        data = serialize_project(project)
        data["owner_email"] = project.owner.email if project.owner_id else None  # expect: AL104
        data["collaborators"] = [u.email async for u in project.collaborators.all()]
        return JsonResponse(data)

    async def patch(self, request, tenant_slug, pk):
        project = await Project.objects.aget(pk=pk, tenant=self.tenant)
        payload = json.loads(request.body or b"{}")
        project.name = payload.get("name", project.name)
        project.archived = bool(payload.get("archived", project.archived))
        project.save()  # expect: AL103
        cache.delete(f"overview:{self.tenant.pk}")  # expect: AL207
        return JsonResponse(serialize_project(project))

    async def delete(self, request, tenant_slug, pk):
        project = get_object_or_404(Project, pk=pk, tenant=self.tenant)  # expect: AL101
        await project.adelete()
        await cache.adelete(f"overview:{self.tenant.pk}")
        return HttpResponse(status=204)


class CollaboratorView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug, pk):
        project = await Project.objects.aget(pk=pk, tenant=self.tenant)
        email = json.loads(request.body or b"{}").get("email", "")
        user = await User.objects.filter(email__iexact=email).afirst()
        if user is None:
            return _json_error(request, "unknown user", status=404)
        if user in project.collaborators.all():  # expect: AL102
            return JsonResponse({"ok": True})
        project.collaborators.add(user)  # expect: AL101
        return JsonResponse({"ok": True}, status=201)

    async def delete(self, request, tenant_slug, pk):
        project = await Project.objects.aget(pk=pk, tenant=self.tenant)
        await project.collaborators.aremove(int(request.GET["user"]))
        return HttpResponse(status=204)


class ApiKeyView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug):
        raw = secrets.token_urlsafe(32)
        key = ApiKey(tenant=self.tenant, prefix=raw[:8], hashed_key=make_password(raw))  # expect: AL301
        await key.asave()
        return JsonResponse({"key": raw, "prefix": key.prefix}, status=201)


class ApiKeyVerifyView(RateLimitMixin, View):
    async def post(self, request):
        raw = request.headers.get("X-Api-Key", "")
        key = await ApiKey.objects.select_related("tenant").filter(prefix=raw[:8]).afirst()
        if key is None or not check_password(raw, key.hashed_key):  # expect: AL301
            return _json_error(request, "invalid key", status=401)
        return JsonResponse({"tenant": key.tenant.slug, "plan": key.tenant.plan})


class SwitchTenantView(View):
    async def post(self, request):
        slug = json.loads(request.body or b"{}").get("tenant")
        current = request.session.get("active_tenant")  # expect: AL105
        if slug == current:
            return JsonResponse({"tenant": slug})
        user = await request.auser()
        if not await Membership.objects.filter(user=user, tenant__slug=slug).aexists():
            return _json_error(request, "not a member", status=403)
        await request.session.aset("active_tenant", slug)
        return JsonResponse({"tenant": slug})


class OverviewView(TenantMemberRequiredMixin, View):
    async def get(self, request, tenant_slug):
        cache_key = f"overview:{self.tenant.pk}"
        cached = await cache.aget(cache_key)
        if cached is not None:
            return JsonResponse(cached)
        projects, members, keys = await asyncio.gather(  # expect: AL107
            Project.objects.filter(tenant=self.tenant).acount(),
            Membership.objects.filter(tenant=self.tenant).acount(),
            ApiKey.objects.filter(tenant=self.tenant).acount(),
        )
        used, limit = seat_usage(self.tenant)  # expect: AL101
        country, archived = await asyncio.gather(
            lookup_country(request.META.get("REMOTE_ADDR", "")),
            Project.objects.filter(tenant=self.tenant, archived=True).acount(),
        )
        data = {
            "projects": projects,
            "archived": archived,
            "members": members,
            "api_keys": keys,
            "seats": {"used": used, "limit": limit},
            "country": country,
            "role": self.membership.role,
        }
        await cache.aset(cache_key, data, 60)
        return JsonResponse(data)


class InviteView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug):
        email = (json.loads(request.body or b"{}").get("email") or "").lower()
        domain = email.rpartition("@")[2]
        if not domain or not await domain_resolves(domain):
            return _json_error(request, "email domain does not resolve")
        used, limit = await sync_to_async(seat_usage, thread_sensitive=False)(self.tenant)  # expect: AL106
        if used >= limit:
            return _json_error(request, "seat limit reached", status=402)
        user, created = User.objects.get_or_create(email=email, defaults={"username": email})  # expect: AL101
        await Membership.objects.acreate(tenant=self.tenant, user=user, role="member")
        EmailMessage("You're invited", f"Join {self.tenant.name} on Tenantdash.", settings.DEFAULT_FROM_EMAIL, [email]).send()  # expect: AL206
        return JsonResponse({"invited": email, "new_user": created}, status=201)


class TenantDeleteView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug):
        storage = ObjectStorage(bucket=settings.TENANT_BUCKET)
        if request.GET.get("fast"):
            await _purge_tenant_rows(self.tenant)
        else:
            with transaction.atomic():  # expect: AL101
                Project.objects.filter(tenant=self.tenant).delete()  # expect: AL101
                Membership.objects.filter(tenant=self.tenant).delete()  # expect: AL101
        await asyncio.to_thread(storage.delete_prefix, f"tenants/{self.tenant.slug}/")
        await self.tenant.adelete()
        return HttpResponse(status=204)


class TenantSettingsView(StaffOnlyMixin, View):
    @property
    def current_tenant(self):
        return Tenant.objects.get(slug=self.kwargs["tenant_slug"])

    async def get(self, request, tenant_slug):
        tenant = self.current_tenant  # expect: AL101
        return JsonResponse({"slug": tenant.slug, "plan": tenant.plan, "seat_limit": tenant.seat_limit})

    async def post(self, request, tenant_slug):
        payload = json.loads(request.body or b"{}")
        updated = await Tenant.objects.filter(slug=tenant_slug).aupdate(seat_limit=int(payload["seat_limit"]))
        return JsonResponse({"updated": updated})


class LegacyProjectCsvView(View):
    def get(self, request, tenant_slug):
        rows = Project.objects.filter(tenant__slug=tenant_slug).values_list("id", "name", "archived")
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{tenant_slug}-projects.csv"'
        writer = csv.writer(response)
        writer.writerow(["id", "name", "archived"])
        for row in rows:
            writer.writerow(row)
        return response
