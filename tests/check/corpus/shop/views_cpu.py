import bz2
import hashlib
import json
import zlib

from django.contrib.auth.hashers import check_password, make_password
from django.http import JsonResponse
from PIL import Image

from .models import Hotel


async def passwords(request):
    hashed = make_password("secret")  # expect: AL301
    ok = check_password("secret", hashed)  # expect: AL301
    key = hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 600_000)  # expect: AL301
    user = await request.auser()
    user.set_password("new")  # expect: AL301
    return JsonResponse({"ok": ok, "key": key.hex()})


async def images(request):
    image = Image.open("/tmp/in.png")
    small = image.resize((64, 64))  # expect: AL301
    return JsonResponse({"size": small.size})


async def loops(request):
    payloads = [json.dumps({"i": i}) for i in range(10_000)]  # expect: AL302
    packed = []
    for payload in payloads:
        packed.append(zlib.compress(payload.encode()))  # expect: AL302
    archive = bz2.compress(b"".join(packed))  # expect: AL301
    once = json.dumps({"n": len(packed)})
    digest = hashlib.sha256(archive).hexdigest()
    return JsonResponse({"once": once, "digest": digest})


async def hotel_hash(request, pk):
    hotel = await Hotel.objects.aget(pk=pk)
    return JsonResponse({"h": hashlib.md5(hotel.name.encode()).hexdigest()})
