import asyncio
import bz2
import json
import pickle
import smtplib
import socket
import sqlite3
import zlib
from decimal import Decimal
from urllib.request import urlopen

import bcrypt
import psycopg2
import redis
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from billing.models import Invoice
from billing.services import billing

from .gateway import GATEWAY_HOST, gateway_status, pool

events = aioredis.from_url(settings.REDIS_URL)
locks = redis.Redis(host=settings.REDIS_HOST, port=6379, db=4)


def _legacy_balance(number):
    with connection.cursor() as cursor:
        cursor.execute("SELECT balance FROM legacy_invoice WHERE number = %s", [number])
        row = cursor.fetchone()
    return row[0] if row else None


def _sqlite_lookup(number):
    conn = sqlite3.connect(settings.ARCHIVE_DB)
    try:
        return conn.execute("SELECT total FROM archive WHERE number = ?", (number,)).fetchone()
    finally:
        conn.close()


@csrf_exempt
async def gateway_webhook(request):
    secret = request.headers.get("X-Gateway-Secret", "").encode()
    if not bcrypt.checkpw(secret, settings.GATEWAY_SECRET_HASH):  # expect: AL301
        return JsonResponse({"error": "bad secret"}, status=403)
    event = json.loads(request.body)
    acquired = locks.set(f"evt:{event['id']}", 1, nx=True, ex=600)  # expect: AL208
    if not acquired:
        return JsonResponse({"status": "duplicate"})
    await events.publish("payments", request.body)
    payment = await billing.settle(event["invoice_id"], Decimal(event["amount"]), event["id"])
    return JsonResponse({"payment": payment.pk})


async def gateway_health(request):
    addr = socket.gethostbyname(GATEWAY_HOST)  # expect: AL205
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(GATEWAY_HOST, 443)
    status = gateway_status()  # expect: AL201
    status_bg = await asyncio.to_thread(gateway_status)
    ping = pool.request("GET", f"https://{GATEWAY_HOST}/ping").status  # expect: AL201
    with urlopen(f"https://{GATEWAY_HOST}/version", timeout=3) as resp:  # expect: AL201
        version = resp.headers.get("X-Version", "unknown")
    return JsonResponse({"addr": addr, "infos": len(infos), "status": status, "bg": status_bg, "ping": ping, "version": version})


async def legacy_balance(request, number):
    balance = await sync_to_async(_legacy_balance)(number)
    archived = await asyncio.to_thread(_sqlite_lookup, number)
    fallback = _sqlite_lookup(number) if archived is None else archived  # expect: AL208
    conn = psycopg2.connect(settings.LEGACY_DSN)  # expect: AL208
    try:
        cur = conn.cursor()  # a client-side object: no I/O until execute
        cur.execute("SELECT note FROM legacy_notes WHERE number = %s", (number,))  # expect: AL208
        note = cur.fetchone()  # expect: AL208
    finally:
        conn.close()  # not flagged: closing is not a wait on the server
    return JsonResponse({"balance": balance, "archived": fallback, "note": note})


async def archive_export(request):
    rows = [r async for r in Invoice.objects.values("number", "amount", "status")]
    lines = [json.dumps(r, default=str) for r in rows]  # expect: AL302
    blob = "\n".join(lines).encode()
    packed = zlib.compress(blob)
    archived = bz2.compress(blob)  # expect: AL301
    body = packed if request.GET.get("fmt") == "zlib" else archived
    return HttpResponse(body, content_type="application/octet-stream")


async def replay_queue(request):
    queue = await events.lrange("payments:dead", 0, 50)
    replayed = 0
    while queue:
        event = pickle.loads(queue.pop())  # expect: AL302
        await billing.settle(event["invoice_id"], Decimal(event["amount"]), event["id"])
        replayed += 1
    return JsonResponse({"replayed": replayed})


async def send_receipt(request, pk):
    invoice = await Invoice.objects.select_related("customer").aget(pk=pk)
    EmailMessage(f"Receipt {invoice.number}", "Thank you for your payment.", to=[invoice.customer.email]).send()  # expect: AL206
    server = smtplib.SMTP(settings.EMAIL_HOST, 587)  # expect: AL206
    try:
        server.sendmail(settings.DEFAULT_FROM_EMAIL, [settings.ACCOUNTING_EMAIL], f"Subject: receipt {invoice.number}")  # expect: AL206
    finally:
        server.quit()  # expect: AL206
    return JsonResponse({"sent": True})


async def count_rows(request):
    rows = Invoice.objects.filter(status="open")
    try:
        total = await rows.acount()
    except (AttributeError, TypeError):  # reached only when rows is not a QuerySet
        total = len(rows)
    return JsonResponse({"total": total})


async def count_rows_wrongly(request):
    rows = Invoice.objects.filter(status="open")
    try:
        total = await rows.acount()
    except ValueError:
        total = len(rows)  # expect: AL102
    return JsonResponse({"total": total})
