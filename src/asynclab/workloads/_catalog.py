"""The scenarios, their variants and their parameters, without importing Django.

The lab reads this catalog to validate what the user asked for and to build URLs; the views read
the same parameter specs to validate their query strings, so the two can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from asynclab.errors import UsageError
from asynclab.upstream import Jitter

PARTIAL_HEADER = "X-Asynclab-Partial"
"""Set on a fanout answer that lacks some providers (value: how many), for load to count."""


class InvalidParameter(ValueError):
    """A scenario parameter that is unknown or out of range; views answer it with a JSON 400."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"{value:g} is outside {low:g}..{high:g}")
        return value

    return parse


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return parse


def _jitter(text: str) -> str:
    try:
        return str(Jitter.parse(text))
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _provider_ids(text: str) -> tuple[int, ...]:
    """``3,7``: providers that never answer (fanout's hang parameter)."""
    if not text:
        return ()
    try:
        ids = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise ValueError(f"{text!r} is not a comma-separated list of provider numbers") from None
    if any(i < 1 for i in ids):
        raise ValueError("provider numbers start at 1")
    return ids


@dataclass(frozen=True)
class ParamSpec:
    """One scenario parameter: its name, how to read it, its default, and what it means.

    ``at_start`` parameters shape the server's project (a middleware stack) rather than a single
    request: the lab passes them when it starts the server, not in the query string.
    """

    name: str
    parse: Callable[[str], Any]
    default: str
    help: str
    at_start: bool = False


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    description: str
    variants: tuple[str, ...]
    params: tuple[ParamSpec, ...] = ()
    uses_database: bool = False
    uses_upstream: bool = False
    websocket: bool = False
    """Served over WebSockets by the Channels application (ASGI servers only)."""
    driver: str = "http"
    """How the lab loads and measures it: http, sse, upload, websocket or longpoll."""
    marks_partial: bool = False
    """Its answers may carry PARTIAL_HEADER, which the load generator counts."""
    calibrates_cpu: bool = False
    """Its CPU work is calibrated once per bench, so that every server does the same work."""
    variants_are_middleware: bool = False
    """Each variant is a middleware stack, of depth ``m``, in front of hello."""
    own_settings: tuple[str, ...] = ()
    """Bench settings only this scenario takes (fanout's ``pool_threads``)."""
    variant_help: Mapping[str, str] = field(default_factory=dict)
    opt_in_variants: tuple[str, ...] = ()
    """Variants that run only when named (a pair or ``--variant``), never by default: they
    need what a default install lacks (django-async-backend, on PostgreSQL)."""

    @property
    def all_variants(self) -> tuple[str, ...]:
        return self.variants + self.opt_in_variants

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        known = ", ".join(p.name for p in self.params) or "none"
        raise InvalidParameter(name, f"unknown parameter {name!r} (known: {known})")

    def parse_params(self, given: Mapping[str, str]) -> dict[str, Any]:
        """Every parameter's value: the given text read and checked, or the default."""
        for name in given:
            self.param(name)
        values = {}
        for spec in self.params:
            text = given.get(spec.name, spec.default)
            try:
                values[spec.name] = spec.parse(text)
            except ValueError as exc:
                raise InvalidParameter(spec.name, f"parameter {spec.name}: {exc}") from None
        return values

    def check_variant(self, variant: str) -> None:
        if variant not in self.all_variants:
            raise UsageError(
                f"scenario {self.name} has no variant {variant!r}: "
                f"use one of {', '.join(self.all_variants)}"
            )

    def path(self, variant: str, given: Mapping[str, str] | None = None) -> str:
        """The URL path (with query) of one variant; ``at_start`` parameters are left out."""
        self.check_variant(variant)
        query = {
            name: value for name, value in (given or {}).items() if not self.param(name).at_start
        }
        return f"/{self.name}/{variant}" + (f"?{urlencode(query)}" if query else "")


SCENARIOS: dict[str, ScenarioSpec] = {
    spec.name: spec
    for spec in (
        ScenarioSpec(
            "hello",
            "a trivial response: the framework's own cost per request in each mode",
            ("sync", "async"),
        ),
        ScenarioSpec(
            "fanout",
            "hotel availability: ask n providers for offers, merge and sort them",
            ("sync", "threads", "async"),
            (
                ParamSpec("n", _integer(1, 500), "10", "number of providers asked"),
                ParamSpec("latency_ms", _number(0, 60_000), "50", "each provider's median delay"),
                ParamSpec("jitter", _jitter, "fixed", "fixed, uniform:W or lognormal:S"),
                ParamSpec("deadline_ms", _number(1, 600_000), "1000", "per-provider deadline"),
                ParamSpec("hang", _provider_ids, "", "providers that never answer, e.g. 3,7"),
                ParamSpec("error_rate", _number(0, 1), "0", "share of provider answers that fail"),
                ParamSpec(
                    "hops",
                    _choice("django", "no-receivers", "shared-executor"),
                    "django",
                    "ASGI only: Django's handler as shipped, without its signals' sync "
                    "receivers, or with one executor shared by all requests (asgiref 3.13+)",
                    at_start=True,
                ),
            ),
            uses_upstream=True,
            variant_help={
                "sync": "one call after another with a sync HTTP client (urllib3)",
                "threads": "sync view, the calls in a process-wide thread pool",
                "async": "async HTTP client (aiohttp), all calls awaited together",
            },
            marks_partial=True,
            own_settings=("pool_threads",),
        ),
        ScenarioSpec(
            "dashboard",
            "k ORM aggregates (and optionally one provider call) rendered with a template",
            ("sync", "async"),
            (
                ParamSpec("k", _integer(1, 60), "6", "number of blocks, one aggregate each"),
                ParamSpec("upstream", _integer(0, 1), "0", "1: also call one provider"),
                ParamSpec("latency_ms", _number(0, 60_000), "50", "that provider's delay"),
            ),
            uses_database=True,
            uses_upstream=True,
            variant_help={
                "sync": "the blocks one after another",
                "async": "asyncio.gather over the async ORM methods (as Django's docs suggest)",
                "async-backend": "django-async-backend (PostgreSQL only): the blocks awaited "
                "in turn on the request's one async connection",
                "async-backend-gather": "django-async-backend: the blocks gathered, each on a "
                "connection of its own (async_new_connection)",
            },
            opt_in_variants=("async-backend", "async-backend-gather"),
        ),
        ScenarioSpec(
            "orm",
            "a lookup (get/aget), then one list query with a join and a filter",
            ("sync", "async"),
            (
                ParamSpec("rows", _integer(1, 5000), "50", "rows returned"),
                ParamSpec("hotel", _integer(1, 1000), "1", "the hotel whose city is listed"),
                ParamSpec(
                    "count",
                    _choice("off", "crossings"),
                    "off",
                    "ASGI only: crossings = count the ORM's sync_to_async crossings and queries",
                    at_start=True,
                ),
            ),
            uses_database=True,
            variant_help={
                "async": "the async ORM: aget, then async for over the queryset",
                "async-backend": "django-async-backend (PostgreSQL only): the same on an "
                "async connection",
            },
            opt_in_variants=("async-backend",),
        ),
        ScenarioSpec(
            "cpu",
            "deterministic pure-Python CPU work calibrated at start-up",
            ("sync", "async"),
            (ParamSpec("ms", _number(0, 10_000), "10", "milliseconds of CPU work"),),
            calibrates_cpu=True,
        ),
        ScenarioSpec(
            "blocking",
            "the pitfall: a blocking wait inside an async view, beside the awaited one",
            ("async", "blocking"),
            (
                ParamSpec("ms", _number(0, 60_000), "50", "length of the wait"),
                ParamSpec("wait", _choice("sleep", "http"), "sleep", "sleep, or an HTTP call"),
            ),
            uses_upstream=True,
            variant_help={
                "async": "awaits asyncio.sleep or an aiohttp call",
                "blocking": "calls time.sleep or urllib3 from the async view",
            },
        ),
        ScenarioSpec(
            "middleware",
            "hello behind a stack of m middleware, all async-capable or all sync-only; the view "
            "is async under ASGI servers and sync under WSGI ones",
            ("async-stack", "sync-stack", "mixed-stack"),
            (ParamSpec("m", _integer(0, 100), "5", "middleware in the stack", at_start=True),),
            variant_help={
                "async-stack": "middleware that are both sync- and async-capable",
                "sync-stack": "sync-only middleware: Django adapts at the stack's two ends",
                "mixed-stack": "sync-only and async-only in turn: a switch at every layer",
            },
            variants_are_middleware=True,
        ),
        ScenarioSpec(
            "stream",
            "server-sent events: `events` events every `interval_ms`, each stamped when sent",
            ("sync", "async"),
            (
                ParamSpec("events", _integer(1, 100_000), "30", "events per stream"),
                ParamSpec("interval_ms", _number(0, 600_000), "1000", "time between events"),
            ),
            variant_help={
                "sync": "a sync generator in a StreamingHttpResponse",
                "async": "an async generator (what Django requires under ASGI)",
            },
            driver="sse",
        ),
        ScenarioSpec(
            "longpoll",
            "wait for the next event published every `every_ms`, or `timeout_ms`",
            ("sync", "async"),
            (
                ParamSpec("every_ms", _number(1, 3_600_000), "1000", "time between events"),
                ParamSpec("timeout_ms", _number(1, 3_600_000), "30000", "longest wait"),
            ),
            driver="longpoll",
        ),
        ScenarioSpec(
            "chat",
            "Django Channels chat rooms: each message is broadcast to every member of its room",
            ("sync", "async"),
            websocket=True,
            variant_help={
                "sync": "WebsocketConsumer (Channels runs it in threads)",
                "async": "AsyncWebsocketConsumer",
            },
            driver="websocket",
        ),
        ScenarioSpec(
            "upload",
            "accept a body of `kb` kilobytes (raw or multipart), answer its size and checksum",
            ("sync", "async"),
            (ParamSpec("kb", _integer(1, 1_000_000), "64", "body size the uploaders send"),),
            driver="upload",
        ),
    )
}


def get_scenario(name: str) -> ScenarioSpec:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UsageError(f"unknown scenario {name!r}: use one of {', '.join(SCENARIOS)}") from None
