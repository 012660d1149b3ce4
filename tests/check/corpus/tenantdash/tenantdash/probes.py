from django.db import connection
from django.http import JsonResponse


def readyz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ready"})


async def livez(request):
    return JsonResponse({"status": "ok"})


async def dbcheck(request):
    with connection.cursor() as cursor:  # expect: AL101
        cursor.execute("SELECT now()")
        row = cursor.fetchone()
    return JsonResponse({"db_time": row[0].isoformat()})
