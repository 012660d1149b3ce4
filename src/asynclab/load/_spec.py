"""LoadSpec: everything that defines one load run, validated when it is built."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from asynclab import __version__
from asynclab.errors import UsageError, setting
from asynclab.load._target import Target

Arrival = Literal["constant", "poisson"]
ARRIVALS: tuple[Arrival, ...] = ("constant", "poisson")

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 token: methods, header names
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

DEFAULT_CONNECTIONS = 10


def parse_header(text: str) -> tuple[str, str]:
    """Split ``'Name: value'`` into its parts."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _TOKEN.match(name):
        raise UsageError(f"header {text!r} must look like 'Name: value'")
    if "\r" in value or "\n" in value:
        raise UsageError(f"header {name!r} must fit on one line")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError(
            f"header {name!r} has characters HTTP/1.1 cannot carry: percent-encode them"
        ) from None
    return name, value.strip()


@dataclass(frozen=True)
class LoadSpec:
    """One load run.

    ``rate`` set means the open model: requests start on a schedule whatever the server does,
    with up to ``max_connections`` connections open at once (``connections`` of them opened before
    the run). ``rate`` None means the closed model: ``connections`` connections each send their
    next request when the previous answer arrives.
    """

    target: Target
    rate: float | None = None
    connections: int = DEFAULT_CONNECTIONS
    arrival: Arrival = "constant"
    duration_s: float = 10.0
    warmup_s: float = 2.0
    timeout_s: float = 5.0
    max_connections: int = 1000
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    body: bytes = b""
    processes: int = 1
    seed: int | None = None
    count_header: str | None = None
    """Count the answers that carry this response header (e.g. a partial-result flag)."""

    def __post_init__(self) -> None:
        if self.rate is not None and not (self.rate > 0 and math.isfinite(self.rate)):
            raise UsageError(
                f"{setting('rate')} must be a finite number > 0 requests/s, got {self.rate:g}"
            )
        if self.connections < 1:
            raise UsageError(f"{setting('connections')} must be >= 1, got {self.connections}")
        if self.max_connections < 1:
            raise UsageError(
                f"{setting('max_connections')} must be >= 1, got {self.max_connections}"
            )
        if self.arrival not in ARRIVALS:
            raise UsageError(
                f"unknown {setting('arrival')} {self.arrival!r}: use constant or poisson"
            )
        if not self.duration_s > 0:
            raise UsageError(
                f"{setting('duration_s')} must be > 0, e.g. {setting('duration_s')} 10s"
            )
        if self.warmup_s < 0:
            raise UsageError(f"{setting('warmup_s')} must be >= 0, e.g. {setting('warmup_s')} 2s")
        if not self.timeout_s > 0:
            raise UsageError(f"{setting('timeout_s')} must be > 0, e.g. {setting('timeout_s')} 5s")
        if self.processes < 1:
            raise UsageError(f"{setting('processes')} must be >= 1, got {self.processes}")
        if self.rate is None and self.processes > self.connections:
            raise UsageError(
                f"{setting('processes')} {self.processes} needs at least as many "
                f"{setting('connections')} "
                f"(got {self.connections})"
            )
        if self.count_header is not None and not _TOKEN.match(self.count_header):
            raise UsageError(
                f"{setting('count_header')} {self.count_header!r} is not a header name"
            )
        if not _TOKEN.match(self.method):
            raise UsageError(
                f"{setting('method')} {self.method!r} is not an HTTP method, e.g. GET or POST"
            )

    @property
    def model(self) -> Literal["open", "closed"]:
        return "closed" if self.rate is None else "open"

    @property
    def most_connections(self) -> int:
        """The most connections the run may hold open at once."""
        return self.max_connections if self.rate is not None else self.connections

    def request_bytes(self) -> bytes:
        """The request every connection sends, encoded once."""
        defaults = {
            "host": ("Host", self.target.host_header),
            "user-agent": ("User-Agent", f"asynclab/{__version__}"),
            "accept": ("Accept", "*/*"),
        }
        given = {name.lower() for name, _ in self.headers}
        lines = [f"{self.method} {self.target.path} HTTP/1.1"]
        lines += [f"{n}: {v}" for key, (n, v) in defaults.items() if key not in given]
        lines += [f"{n}: {v}" for n, v in self.headers]
        if (self.body or self.method in _BODY_METHODS) and "content-length" not in given:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body
