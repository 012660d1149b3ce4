"""One request sent before a measurement, to check that the target answers at all: a run of
error pages or redirects measures nothing."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    """What the target answered, or why it did not."""

    status: int | None  # None: no answer (``error`` says why)
    location: str | None = None
    text: str = ""  # the start of the body, decoded
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def fetch_answer(
    url: str,
    *,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
    timeout_s: float = 60.0,
) -> Answer:
    """Send one request straight to ``url``: no proxy from the environment (a loopback
    address is not exempt from http_proxy unless no_proxy says so) and no redirect followed
    (a redirect is an answer to report, and it may leave loopback)."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout_s)
    try:
        connection.request(method, path, body=body or None, headers=dict(headers))
        response = connection.getresponse()
        text = response.read()[:300].decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, error=str(exc) or type(exc).__name__)
    finally:
        connection.close()
    return Answer(response.status, response.getheader("Location"), text)
