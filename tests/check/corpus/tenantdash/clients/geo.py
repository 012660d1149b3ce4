import asyncio
import socket

import httpx

PRIVATE_PREFIXES = ("10.", "127.", "192.168.", "172.16.")


async def lookup_country(ip):
    if not ip or ip.startswith(PRIVATE_PREFIXES):
        return None
    async with httpx.AsyncClient(timeout=2) as client:
        resp = await client.get(f"https://geo.example.com/v1/{ip}")
    if resp.status_code != 200:
        return None
    return resp.json().get("country")


async def domain_resolves(domain):
    loop = asyncio.get_running_loop()
    try:
        await loop.getaddrinfo(domain, 25, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    return True


async def mail_host_ip(domain):
    return socket.gethostbyname(f"mail.{domain}")  # expect: AL205
