import asyncio
import json
import os
import shutil
import smtplib
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from time import sleep as pause

import httpx
import psycopg
import redis
import requests
import requests as rq
from django.core.cache import cache, caches
from django.core.mail import EmailMessage, send_mail
from django.http import JsonResponse


async def http_calls(request):
    a = requests.get("http://a.invalid/", timeout=1)  # expect: AL201
    b = rq.post("http://b.invalid/", json={})  # expect: AL201
    c = urllib.request.urlopen("http://c.invalid/")  # expect: AL201
    with httpx.Client() as client:
        d = client.get("http://d.invalid/")  # expect: AL201
    session = requests.Session()
    e = session.get("http://e.invalid/")  # expect: AL201
    f = httpx.get("http://f.invalid/")  # expect: AL201
    async with httpx.AsyncClient() as good:
        g = await good.get("http://g.invalid/")
    return JsonResponse({"n": len([a, b, c, d, e, f, g])})


async def sleeps(request):
    time.sleep(1)  # expect: AL202
    pause(0.5)  # expect: AL202
    await asyncio.sleep(1)
    return JsonResponse({})


async def files(request):
    with open("/tmp/data.json") as handle:  # expect: AL203
        data = json.load(handle)
    text = Path("/tmp/notes.txt").read_text()  # expect: AL203
    base = Path(__file__).parent
    config = (base / "config.toml").read_bytes()  # expect: AL203
    names = os.listdir("/tmp")  # expect: AL203
    shutil.rmtree("/tmp/old", ignore_errors=True)  # expect: AL203
    other = await asyncio.to_thread(Path("/tmp/x").read_text)
    return JsonResponse({"data": data, "n": len(text) + len(config) + len(names) + len(other)})


async def processes(request):
    subprocess.run(["ls"], check=True)  # expect: AL204
    out = subprocess.check_output(["date"])  # expect: AL204
    os.system("true")  # expect: AL204
    proc = await asyncio.create_subprocess_exec("ls")
    await proc.wait()
    return JsonResponse({"out": out.decode()})


async def sockets(request):
    address = socket.gethostbyname("example.invalid")  # expect: AL205
    conn = socket.create_connection(("127.0.0.1", 80))  # expect: AL205
    reader, writer = await asyncio.open_connection("127.0.0.1", 80)
    return JsonResponse({"address": address, "c": str(conn)})


async def mail(request):
    send_mail("s", "m", "a@x.invalid", ["b@x.invalid"])  # expect: AL206
    message = EmailMessage("s", "body", to=["c@x.invalid"])
    message.attach("a.txt", "x")
    message.send()  # expect: AL206
    server = smtplib.SMTP("localhost")  # expect: AL206
    return JsonResponse({"s": str(server)})


async def caching(request):
    value = cache.get("key")  # expect: AL207
    cache.set("key", 1, 30)  # expect: AL207
    other = caches["sessions"].get("k")  # expect: AL207
    good = await cache.aget("key")
    await cache.aset("key", 2)
    return JsonResponse({"value": value, "other": other, "good": good})


async def drivers(request):
    conn = psycopg.connect("dbname=test")  # expect: AL208
    rows = conn.execute("select 1").fetchall()  # expect: AL208
    client = redis.Redis()
    hits = client.incr("hits")  # expect: AL208
    db = sqlite3.connect("/tmp/app.db")  # expect: AL208
    cursor = db.cursor()
    cursor.execute("select 1")  # expect: AL208
    async with await psycopg.AsyncConnection.connect("dbname=test") as aconn:
        await aconn.execute("select 1")
    return JsonResponse({"rows": rows, "hits": hits})


async def offloaded(request):
    page = await asyncio.to_thread(requests.get, "http://h.invalid/")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, time.sleep, 1)

    def blocking_helper():
        return requests.get("http://i.invalid/")

    result = await asyncio.to_thread(blocking_helper)
    return JsonResponse({"page": page.status_code, "r": result.status_code})


def sync_view(request):
    time.sleep(1)
    requests.get("http://j.invalid/")
    with open("/tmp/x") as handle:
        return JsonResponse({"x": handle.read(), "c": cache.get("k")})


async def nonblocking_socket(request):
    sock = socket.socket()
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", 80))
    blocking = socket.socket()
    blocking.connect(("127.0.0.1", 81))  # expect: AL205
    return JsonResponse({})
