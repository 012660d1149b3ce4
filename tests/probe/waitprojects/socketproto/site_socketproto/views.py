"""A line protocol to a legacy service over a raw socket, and a conversion in a subprocess."""

import os
import socket
import subprocess

from django.http import JsonResponse

SERVICE = ("127.0.0.1", int(os.environ.get("SERVICE_PORT", "9")))


def _ask(line: bytes) -> bytes:
    with socket.create_connection(SERVICE, timeout=10) as connection:
        connection.sendall(line + b"\n")
        return connection.recv(1024)  # the service answers after 100 ms


def status(request):
    return JsonResponse({"status": _ask(b"STATUS").decode().strip()})


def convert(request):
    done = subprocess.run(["sleep", "0.1"], check=True)  # a converter that takes 100 ms
    return JsonResponse({"code": done.returncode})


async def status_async(request):
    return JsonResponse({"status": _ask(b"STATUS").decode().strip()})  # on the event loop


VIEWS = {"status": status, "convert": convert, "status_async": status_async}
