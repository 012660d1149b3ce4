"""``upload``: accept a body (raw or multipart), keep nothing, answer its size and checksum.

What differs between servers is who waits for a slow client's bytes: a WSGI worker thread reads
the body from the socket itself (a slow uploader pins it), while Django under ASGI has the
whole body read by the event loop before the view runs. ``kb`` is the size the client says it
sends; the answer reports what arrived.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from asynclab.workloads.scenarios._common import json_response, with_params


def _digest(request: HttpRequest) -> dict[str, object]:
    digest = hashlib.sha256()
    size = 0
    if request.content_type == "multipart/form-data":
        for upload in request.FILES.values():
            for chunk in upload.chunks():
                digest.update(chunk)
                size += len(chunk)
        kind = "multipart"
    else:
        body = request.body
        digest.update(body)
        size = len(body)
        kind = "raw"
    return {"bytes": size, "sha256": digest.hexdigest(), "kind": kind}


@csrf_exempt
@with_params("upload")
def upload_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    return json_response(_digest(request))


@csrf_exempt
@with_params("upload")
async def upload_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    return json_response(_digest(request))  # the body is already in memory under ASGI


VIEWS = {"sync": upload_sync, "async": upload_async}
