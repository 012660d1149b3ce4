import socket

from django.conf import settings
from django.http import JsonResponse

from reports.tools import tool_versions


async def ping(request):  # expect: AL401
    return JsonResponse({"ok": True})


async def tool_status(request):  # expect: AL401
    versions = tool_versions()  # expect: AL204
    warehouse_ip = socket.gethostbyname(settings.WAREHOUSE_HOST)  # expect: AL205
    try:
        sock = socket.create_connection((warehouse_ip, 5432), timeout=2)  # expect: AL205
        sock.close()
        reachable = True
    except OSError:
        reachable = False
    return JsonResponse({"tools": versions, "warehouse": {"ip": warehouse_ip, "reachable": reachable}})
