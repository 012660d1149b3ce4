"""Views of known shape. Outbound calls go to asynclab's provider simulator, whose URL the
tests pass in SAMPLE_PROVIDER_URL; each call's delay is set in its query."""

import asyncio
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import aiohttp
import redis
import urllib3
from django.contrib.auth.models import Permission
from django.http import JsonResponse

_POOL = urllib3.PoolManager(maxsize=64, retries=False)


def _provider(number, latency_ms):
    base = os.environ.get("SAMPLE_PROVIDER_URL", "http://127.0.0.1:9").rstrip("/")
    return f"{base}/providers/{number}/offers?latency_ms={latency_ms}&jitter=fixed"


def _get(url):
    return _POOL.request("GET", url, timeout=10).status


def cpu(request):
    """Pure CPU: about 5 ms of hashing, no I/O."""
    digest = b"asynclab"
    for _ in range(15_000):
        digest = hashlib.sha256(digest).digest()
    return JsonResponse({"digest": digest.hex()})


def one_call(request):
    """One slow API call (400 ms): the thread waits, doing nothing."""
    return JsonResponse({"status": _get(_provider(1, 400))})


def three_calls(request):
    """Three independent API calls made one after another (50 ms each)."""
    return JsonResponse({"status": [_get(_provider(n, 50)) for n in (1, 2, 3)]})


def stdlib_calls(request):
    """Three 50 ms API calls in a row with the standard library's client (no HTTP hook knows
    it): 150 ms of a request that computes almost nothing."""
    statuses = []
    for number in (1, 2, 3):
        with urllib.request.urlopen(_provider(number, 50), timeout=10) as answer:
            statuses.append(answer.status)
    return JsonResponse({"status": statuses})


def sleeps_and_waits(request):
    """A 60 ms sleep and a 60 ms subprocess: 120 ms of waiting no client hook sees."""
    time.sleep(0.06)
    subprocess.run([sys.executable, "-c", "import time; time.sleep(0.06)"], check=True)
    return JsonResponse({"ok": True})


def redis_wait(request):
    """A 200 ms blocking pop on an empty Redis list with the sync client."""
    client = redis.Redis.from_url(os.environ.get("SAMPLE_REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        client.blpop(["asynclab:sample:empty"], timeout=0.2)
    finally:
        client.close()
    return JsonResponse({"ok": True})


def raw_socket(request):
    """An HTTP exchange spoken by hand over a raw socket (a 100 ms provider answer)."""
    url = urllib.parse.urlsplit(_provider(1, 100))
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(f"GET {url.path}?{url.query} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        while sock.recv(65536):
            pass
    return JsonResponse({"ok": True})


def orm(request):
    """ORM-heavy: twenty small queries, one after another."""
    found = [Permission.objects.filter(codename__startswith=str(n)).count() for n in range(20)]
    return JsonResponse({"found": found})


async def _three_calls_at_once(latency_ms):
    async with aiohttp.ClientSession() as session:

        async def fetch(number):
            async with session.get(_provider(number, latency_ms)) as response:
                return response.status

        return await asyncio.gather(*(fetch(n) for n in (1, 2, 3)))


async def async_calls(request):
    """Three API calls at once (50 ms each), behind the project's sync-only middleware."""
    return JsonResponse({"status": await _three_calls_at_once(50)})


async def async_quick_calls(request):
    """Three API calls at once (2 ms each) behind the sync-only middleware: a short request,
    so the chain's crossings (about 0.5 ms on the machines tried) are a clear multiple of the
    probe's 1% advice threshold (5-15% of the request), on a faster CPU too."""
    return JsonResponse({"status": await _three_calls_at_once(2)})


async def async_blocks(request):
    """An async view that blocks its event loop for 100 ms: 5x the watchdog's 20 ms."""
    time.sleep(0.1)  # the blocking line the watchdog must name
    return JsonResponse({"slept": 100})


async def async_hello(request):
    return JsonResponse({"hello": "async"})


def sync_hello(request):
    return JsonResponse({"hello": "sync"})
