"""ruff ASYNC250 (input) and ASYNC251 (time.sleep)."""

import asyncio
import time
from time import sleep


async def blocking():
    input("name? ")  # expect: AL203
    time.sleep(1)  # expect: AL202
    sleep(1)  # expect: AL202


async def fine(fake):
    fake.input()
    await asyncio.sleep(1)
    await asyncio.to_thread(lambda: input())


def sync_code():
    input()
    time.sleep(1)
