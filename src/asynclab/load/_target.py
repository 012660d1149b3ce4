"""The URL under load: parsed once, resolved once, and checked to be on loopback."""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from asynclab.errors import UsageError, setting


@dataclass(frozen=True)
class Target:
    """Where requests go. ``address`` is resolved once so no request pays for a DNS lookup."""

    url: str
    host: str
    port: int
    path: str
    address: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == 80 else f"{host}:{self.port}"


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def parse_target(url: str, *, allow_remote: bool = False) -> Target:
    """Parse and resolve ``url``; refuse anything but plain HTTP on loopback unless allowed."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UsageError(
            f"cannot parse URL {url!r} ({exc}): use e.g. http://127.0.0.1:8000/"
        ) from exc
    if parts.scheme == "https":
        raise UsageError(
            f"{url!r}: https is not supported; load the server over plain http:// on loopback"
        )
    if parts.scheme != "http":
        raise UsageError(f"{url!r} is not an http:// URL: use e.g. http://127.0.0.1:8000/")
    host = parts.hostname
    if not host:
        raise UsageError(f"{url!r} has no host: use e.g. http://127.0.0.1:8000/")
    port = port or 80
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve host {host!r} ({exc.strerror}): check the URL") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not allow_remote and not all(_is_loopback(address) for address in addresses):
        raise UsageError(
            f"{host} is not a loopback address: asynclab only loads servers on this machine "
            f"(127.0.0.0/8, ::1, localhost); pass {setting('allow_remote')} if you really mean it"
        )
    # Characters HTTP/1.1 cannot carry in a request line are percent-encoded, as browsers do;
    # what is already encoded (and the reserved characters) is left as it is.
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + urllib.parse.quote(parts.query, safe="=&%:@!$'()*+,;/?-._~")
    return Target(url=url.strip(), host=host, port=port, path=path, address=addresses[0])
