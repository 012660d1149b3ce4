"""ruff ASYNC210: blocking HTTP calls in an async function."""

import urllib.request

import httpx
import requests
import urllib3


async def module_functions():
    urllib.request.urlopen("http://example.com/").read()  # expect: AL201
    requests.get("http://example.com/")  # expect: AL201
    requests.post("http://example.com/")  # expect: AL201
    requests.put("x")  # expect: AL201
    requests.patch("x")  # expect: AL201
    requests.delete("x")  # expect: AL201
    requests.head("x")  # expect: AL201
    requests.options("x")  # expect: AL201
    print(requests.get("x"))  # expect: AL201
    httpx.get("x")  # expect: AL201
    httpx.post("x")  # expect: AL201
    httpx.options("x")  # expect: AL201
    urllib3.request("GET", "x")  # expect: AL201
    requests.foo()
    httpx.foo()
    requests.get  # noqa: B018 (not a call)
    r = {}
    r.get("a dict, not a client")


async def local_names():
    def request():
        pass

    request()

    def urlopen():
        pass

    urlopen()


def sync_code():
    requests.get("x")
