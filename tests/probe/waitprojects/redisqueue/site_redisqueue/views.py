"""A job queue's worker endpoint: wait for the next job with a blocking pop (the tests' feeder
pushes one 200 ms after a client blocks)."""

import os

import redis
from django.http import JsonResponse

CLIENT = redis.Redis.from_url(
    os.environ.get("QUEUE_URL", "redis://127.0.0.1:6379/0"), client_name="asynclab-worker"
)
QUEUE = os.environ.get("QUEUE_NAME", "asynclab-waitprojects-jobs")


def next_job(request):
    job = CLIENT.blpop([QUEUE], timeout=5)
    return JsonResponse({"job": job[1].decode() if job else None})


async def next_job_async(request):
    job = CLIENT.blpop([QUEUE], timeout=5)  # the blocking line, on the event loop
    return JsonResponse({"job": job[1].decode() if job else None})


VIEWS = {"next_job": next_job, "next_job_async": next_job_async}
