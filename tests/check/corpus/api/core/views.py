import asyncio
import datetime
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import time

import bcrypt
import httpx
from asgiref.sync import sync_to_async
from django.contrib.auth import aauthenticate, alogin, authenticate, login, logout
from django.core.cache import caches
from django.core.mail import EmailMessage, send_mail
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views import View

from . import services
from .models import ApiKey, Event, Organization, Profile


@sync_to_async(thread_sensitive=False)  # expect: AL106
def org_summary(org_id):
    org = Organization.objects.get(pk=org_id)
    return {"name": org.name, "keys": org.keys.count()}


async def login_view(request):
    data = json.loads(request.body)
    user = await aauthenticate(request, username=data["username"], password=data["password"])
    if user is None:
        return JsonResponse({"error": "invalid credentials"}, status=400)
    await alogin(request, user)
    return JsonResponse({"ok": True})


async def legacy_login(request):
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])  # expect: AL101
    if user is not None:
        login(request, user)  # expect: AL101
    return JsonResponse({"ok": user is not None})


async def logout_view(request):
    logout(request)  # expect: AL101
    return JsonResponse({"ok": True})


async def verify_key(request):
    raw = request.headers.get("X-Api-Key", "").encode()
    keys = ApiKey.objects.filter(org_id=request.headers.get("X-Org")).select_related("org")
    async for key in keys.filter(revoked=False):
        if await asyncio.to_thread(bcrypt.checkpw, raw, key.hashed.encode()):
            return JsonResponse({"org": key.org.name, "summary": await org_summary(key.org_id)})
    for key in keys.filter(revoked=True):  # expect: AL102
        if bcrypt.checkpw(raw, key.hashed.encode()):  # expect: AL301
            return JsonResponse({"error": "revoked", "org": key.org_id}, status=403)
    return JsonResponse({"error": "unknown key"}, status=403)


async def event_export(request, org_id):
    org, total = await asyncio.gather(  # expect: AL107
        Organization.objects.aget(pk=org_id),
        Event.objects.filter(org_id=org_id).acount(),
    )
    events = [e async for e in Event.objects.filter(org=org).order_by("-created")[:500]]
    lines = [json.dumps(e.payload) for e in events]  # expect: AL302
    oldest = Event.objects.filter(org=org).earliest("created")  # expect: AL101
    blob = await sync_to_async(services.compress_report, thread_sensitive=False)("\n".join(lines))
    shutil.rmtree(f"/tmp/exports/{org.pk}", ignore_errors=True)  # expect: AL203
    return JsonResponse({"size": len(blob), "since": oldest.created.isoformat(), "org": org.name, "total": total})


async def purge_events(request):
    cutoff = timezone.now() - datetime.timedelta(days=90)
    await Event.objects.filter(created__lt=cutoff, kind="debug").adelete()
    Event.objects.filter(created__lt=cutoff).delete()  # expect: AL101
    await sync_to_async(services.rebuild_index, thread_sensitive=False)()  # expect: AL106
    stale = await sync_to_async(lambda: list(Event.objects.filter(kind="stale")), thread_sensitive=False)()  # expect: AL106
    return JsonResponse({"stale": len(stale)})


async def fire_webhook(request, pk):
    event = await Event.objects.select_related("org").aget(pk=pk)
    body = json.dumps(event.payload)
    async with httpx.AsyncClient(timeout=10) as client:
        for attempt in range(3):
            resp = await client.post(event.org.webhook_url, content=body)
            if resp.status_code < 500:
                break
            await asyncio.sleep(2 ** attempt)
    if resp.status_code >= 500:
        time.sleep(5)  # expect: AL202
        resp = httpx.post(event.org.webhook_url, content=body, timeout=30)  # expect: AL201
    return JsonResponse({"status": resp.status_code})


async def db_health(request):
    with connection.cursor() as cur:  # expect: AL101
        cur.execute("SELECT 1")
    conn = sqlite3.connect("/var/lib/api/analytics.db")  # expect: AL208
    rows = conn.execute("SELECT kind, COUNT(*) FROM hits GROUP BY kind").fetchall()  # expect: AL208
    proc = await asyncio.create_subprocess_exec("pg_isready", "-q")
    version = subprocess.check_output(["sqlite3", "--version"], text=True)  # expect: AL204
    sock = socket.create_connection(("mail.internal", 25), timeout=3)  # expect: AL205
    sock.close()
    return JsonResponse({"hits": dict(rows), "pg": await proc.wait() == 0, "sqlite": version.strip()})


async def throttled_ping(request):
    ip = request.META.get("REMOTE_ADDR", "")
    hits = caches["ratelimit"].get(ip, 0)  # expect: AL207
    await caches["ratelimit"].aset(ip, hits + 1, 60)
    geo = services.fetch_geo(ip)  # expect: AL201
    return JsonResponse({"hits": hits, "geo": geo.decode()})


async def invite(request):
    data = json.loads(request.body)
    org = await Organization.objects.aget(pk=data["org"])
    EmailMessage(f"Join {org.name}", "You have been invited.", to=[data["email"]]).send()  # expect: AL206
    await sync_to_async(send_mail)("Invite sent", data["email"], None, ["admins@example.com"])
    await Event.objects.acreate(org=org, kind="invite", payload=data)
    return JsonResponse({"ok": True}, status=201)


class ProfileView(View):
    async def get(self, request):
        user = await request.auser()
        profile = await Profile.objects.select_related("org").aget(user=user)
        return JsonResponse({"org": profile.org.name if profile.org_id else None})

    async def post(self, request):
        user = request.user  # expect: AL105
        data = json.loads(request.body)
        if not user.check_password(data["old"]):  # expect: AL301
            return JsonResponse({"error": "wrong password"}, status=400)
        user.set_password(data["new"])  # expect: AL301
        await user.asave(update_fields=["password"])
        Profile.objects.update_or_create(user=user, defaults={"api_secret": services.derive_key(data["new"], b"pepper")})  # expect: AL101, AL301
        return JsonResponse({"ok": True})


def backup(request):
    os.system("pg_dump api > /var/backups/api.sql")
    time.sleep(1)
    return JsonResponse({"events": Event.objects.count(), "geo": services.fetch_geo("127.0.0.1").decode()})
