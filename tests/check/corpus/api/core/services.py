import hashlib
import zlib

import urllib3

from .models import Event, Organization

http = urllib3.PoolManager(retries=2)


def rebuild_index():
    for org in Organization.objects.all():
        Event.objects.filter(org=org, kind="stale").delete()


def compress_report(text):
    return zlib.compress(text.encode(), 9)


def derive_key(secret, salt):
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, 600_000)


def fetch_geo(ip):
    return http.request("GET", f"https://geo.example.com/json/{ip}").data
