"""A job queue's poll: wait up to 200 ms for the next job with a blocking pop."""

import os

import redis
from django.http import JsonResponse

CLIENT = redis.Redis.from_url(os.environ.get("QUEUE_URL", "redis://127.0.0.1:6379/0"))
QUEUE = os.environ.get("QUEUE_NAME", "asynclab-waitprojects-empty")


def next_job(request):
    job = CLIENT.blpop([QUEUE], timeout=0.2)  # empty: waits the whole 200 ms
    return JsonResponse({"job": job})


async def next_job_async(request):
    job = CLIENT.blpop([QUEUE], timeout=0.2)  # the blocking line, on the event loop
    return JsonResponse({"job": job})


VIEWS = {"next_job": next_job, "next_job_async": next_job_async}
