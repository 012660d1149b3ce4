"""A price comparison that asks three partners, one after another, with urllib."""

import json
import os
import urllib.request

from django.http import JsonResponse

PARTNER = os.environ.get("PARTNER_URL", "http://127.0.0.1:9").rstrip("/")


def _price(partner: int) -> dict:
    url = f"{PARTNER}/providers/{partner + 1}/offers?latency_ms=50&jitter=fixed"
    with urllib.request.urlopen(url, timeout=10) as answer:  # the blocking line
        return json.load(answer)


def prices(request):
    return JsonResponse({"offers": [_price(n) for n in range(3)]})


async def prices_async(request):
    # The pitfall: the same sync client inside an async view holds the event loop.
    return JsonResponse({"offers": [_price(n) for n in range(3)]})


VIEWS = {"prices": prices, "prices_async": prices_async}
