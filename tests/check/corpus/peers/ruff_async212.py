"""ruff ASYNC212: methods of an httpx.Client that do I/O, the client known from an
assignment, a parameter or variable annotation (also Optional and | None) or a global."""

from typing import Optional

import httpx


async def assigned():
    client = httpx.Client()
    client.close()  # expect: AL201
    client.delete("x")  # expect: AL201
    client.get("x")  # expect: AL201
    client.head("x")  # expect: AL201
    client.options("x")  # expect: AL201
    client.patch("x")  # expect: AL201
    client.post("x")  # expect: AL201
    client.put("x")  # expect: AL201
    client.request("GET", "x")  # expect: AL201
    client.send(None)  # expect: AL201
    client.stream("GET", "x")  # expect: AL201
    client.anything()
    client.build_request("GET", "x")
    client.is_closed  # noqa: B018 (an attribute)


async def parameter(client: httpx.Client):
    client.request("GET", "x")  # expect: AL201
    client.anything()


async def optional_parameter(client: httpx.Client | None, other: Optional[httpx.Client]):
    client.request("GET", "x")  # expect: AL201
    other.get("x")  # expect: AL201


async def annotated_variable():
    client: httpx.Client = make_client()
    client.request("GET", "x")  # expect: AL201


global_client = httpx.Client()


async def global_name():
    global_client.request("GET", "x")  # expect: AL201
    global_client.anything()


async def async_client():
    async with httpx.AsyncClient() as client:
        await client.get("x")


def make_client():
    return None


def sync_code():
    client = httpx.Client()
    client.get("x")
