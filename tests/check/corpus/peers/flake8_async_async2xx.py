"""flake8-async's extras over ruff: request() verbs, urllib3 pool classes, select."""

import select

import requests
import urllib3


async def extras(sock):
    requests.request("GET", "x")  # expect: AL201
    pool = urllib3.PoolManager()
    pool.request("GET", "x")  # expect: AL201
    proxy = urllib3.ProxyManager("http://proxy")
    proxy.urlopen("GET", "x")  # expect: AL201
    select.select([sock], [], [], 1)  # expect: AL205
    poller = select.poll()
    poller.register(sock)
    poller.poll(1000)  # expect: AL205
