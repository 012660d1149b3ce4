"""Claims on connections that stay open: SSE streams, slow uploads, WebSocket chat."""

from __future__ import annotations

from typing import Any

from asynclab.lab._capacity import CapacityLimits
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    Verdict,
    beyond,
    ms,
    ratio_estimate,
    runs_of,
    value_estimate,
)

THREADED = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")

# --- long-lived-connections: SSE stream capacity ------------------------------------------

STREAMS_DEFAULT = "long-lived-connections/threads=default"
STREAMS_SCALED = "long-lived-connections/threads=streams"
_FAR_MORE = 4  # two doublings: capacity is only known to within one doubling


def _stream_limits(context: RunContext, scaled: bool) -> CapacityLimits:
    smoke = context.profile.is_smoke
    return CapacityLimits(
        start=16, max_level=16 if smoke else 512, max_duration_s=60 if smoke else 180,
        threads_follow_level=scaled,
    )  # fmt: skip


def stream_experiments(context: RunContext) -> list[Experiment]:
    params = (("events", "1000"), ("interval_ms", "500"))
    duration = 1.0 if context.profile.is_smoke else 2.0
    return [
        Experiment(
            STREAMS_DEFAULT,
            context.bench(
                "stream", pairs=(THREADED, ASYNC), params=params, duration_s=duration,
                repeat=1, capacity=_stream_limits(context, scaled=False),
            ),
        ),
        Experiment(
            STREAMS_SCALED,
            context.bench(
                "stream", pairs=(THREADED,), params=params, duration_s=duration, repeat=1,
                capacity=_stream_limits(context, scaled=True),
            ),
        ),
    ]  # fmt: skip


def _held(result: dict[str, Any], pair: tuple[str, str]) -> tuple[int, str, dict[str, Any]]:
    for finding in result["capacity"]:
        if (finding["server"], finding["variant"]) == pair:
            return finding["held"] or 0, finding["reason"], finding
    raise MissingResult(f"no capacity finding for {pair}")


def stream_judge(context: RunContext, results: Results) -> ClaimVerdict:
    ids = [STREAMS_DEFAULT, STREAMS_SCALED]
    try:
        sync_default, _, default_finding = _held(results[STREAMS_DEFAULT], THREADED)
        async_held, async_reason, async_finding = _held(results[STREAMS_DEFAULT], ASYNC)
        sync_scaled, scaled_reason, scaled_finding = _held(results[STREAMS_SCALED], THREADED)
    except (MissingResult, KeyError) as exc:
        return CLAIM_STREAMS.failed(results, ids, exc)
    threads = default_finding["threads_at_held"]
    # A search that held up to its largest level only gives a lower bound.
    async_capped = async_finding["broke_at"] is None
    verdict: Verdict
    if async_held >= _FAR_MORE * max(sync_default, sync_scaled, 1):
        verdict = "supported"
    elif async_held >= _FAR_MORE * max(sync_default, 1):
        verdict = "depends"  # on giving the sync server a thread per stream
    elif async_held <= max(sync_default, sync_scaled) and not async_capped:
        verdict = "refuted"
    else:
        verdict = "inconclusive"
    summary = (
        f"SSE streams held (lag p99 <= 1 s, <= 1% broken): uvicorn async {async_held:,} "
        f"({_rss(async_finding)}), gunicorn-gthread sync {sync_default:,} with its {threads} "
        f"threads, {sync_scaled:,} with a thread per stream ({_rss(scaled_finding)})"
    )
    if async_capped:
        summary += f"; async was not pushed past {async_held:,} (the search's largest level)"
    figures = {
        "async_held": async_held,
        "sync_held_default_threads": sync_default,
        "sync_held_thread_per_stream": sync_scaled,
        "stopped": {"async": async_reason, "sync_thread_per_stream": scaled_reason},
    }
    reason = (
        f"rule: one capacity search each (levels double, so within 2x); supported when async "
        f"holds {_FAR_MORE}x what sync holds even with a thread per stream, depends when only "
        "the default thread count falls short"
    )
    return CLAIM_STREAMS.verdict(verdict, summary, figures=figures, reason=reason)


def _rss(finding: dict[str, Any]) -> str:
    rss, each = finding["rss_peak_bytes_at_held"], finding["rss_per_connection_bytes_at_held"]
    if rss is None or each is None:
        return "RSS -"
    return f"RSS {rss / 1e6:.0f} MB, {each / 1e3:.0f} KB each"


CLAIM_STREAMS = Claim(
    id="long-lived-connections",
    statement="Streaming, SSE and long polling need async",
    sources=("002",),
    meaning=(
        "Under WSGI an open stream holds a worker thread for as long as it lasts; an ASGI "
        "server can hold many streams on one event loop. The capacities above show what each "
        "setup held here."
    ),
    experiments=stream_experiments,
    judge=stream_judge,
)

# --- slow-uploads ---------------------------------------------------------------------------

UPLOADS = "slow-uploads/50-uploaders"
_BLOCKED = 2.0  # fast requests' p99 at least twice as bad beside the uploaders


def upload_experiments(context: RunContext) -> list[Experiment]:
    uploaders = 50  # more than gthread's 32 threads, as in the seed's scenario
    return [
        Experiment(
            UPLOADS,
            context.bench(
                # The fast requests' connections open as they are needed (one ahead): only
                # the uploaders may hold gthread's threads (see steadier-under-load).
                "upload", pairs=(THREADED, ASYNC), uploaders=uploaders, rate=20.0, connections=1,
                params=(("kb", "4" if context.profile.is_smoke else "64"),),
                duration_s=0.5 if context.profile.is_smoke else 3.0, timeout_s=30.0,
            ),
        )
    ]  # fmt: skip


def upload_judge(context: RunContext, results: Results) -> ClaimVerdict:
    try:
        result = results[UPLOADS]
        ratio = ratio_estimate(result, THREADED, ASYNC, "p99")
        p99 = {pair[0]: value_estimate(result, pair, "p99").median for pair in (THREADED, ASYNC)}
        uploaders = result["bench"]["uploaders"]
        upload_kb = result["bench"]["params"]["kb"]
        upload_rate = result["bench"]["upload_rate"]
    except (MissingResult, KeyError) as exc:
        return CLAIM_UPLOADS.failed(results, [UPLOADS], exc)
    verdict = beyond(ratio, _BLOCKED, supported="above")
    summary = (
        # The scenario's kb is 1,024 bytes; asynclab's figures are decimal.
        f"fast requests beside {uploaders} uploaders ({upload_kb * 1024 / 1000:.3g} KB each at "
        f"{upload_rate / 1000:.3g} KB/s): p99 gunicorn-gthread sync "
        f"{ms(p99['gunicorn-gthread'])}, uvicorn async {ms(p99['uvicorn'])} "
        f"({ratio.median:,.0f}x)"
    )
    figures = {
        "uploaders": uploaders,
        "upload_kb": upload_kb,
        "upload_bytes_per_s": upload_rate,
        "p99_ms": p99,
        "sync_over_async_p99": ratio.to_dict(),
    }
    reason = f"rule: gthread p99 / uvicorn p99 above {_BLOCKED} ({ratio.describe()})"
    return CLAIM_UPLOADS.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM_UPLOADS = Claim(
    id="slow-uploads",
    statement="Slow uploads block sync workers",
    sources=("002",),
    meaning=(
        "Under WSGI a slow client holds a worker thread for its whole upload, and fast "
        "requests wait once the pool is taken; an ASGI server reads request bodies on its "
        "event loop. The p99s above show the difference here."
    ),
    experiments=upload_experiments,
    judge=upload_judge,
)

# --- websocket-chat -------------------------------------------------------------------------

CHAT = "websocket-chat/uvicorn"
SYNC_CONSUMER = ("uvicorn", "sync")
ASYNC_CONSUMER = ("uvicorn", "async")
_SLOWER = 1.2


def chat_experiments(context: RunContext) -> list[Experiment]:
    smoke = context.profile.is_smoke
    return [
        Experiment(
            CHAT,
            context.bench(
                "chat", pairs=(SYNC_CONSUMER, ASYNC_CONSUMER), members=40 if smoke else 200,
                rooms=4 if smoke else 10, duration_s=1.0 if smoke else 3.0,
            ),
        )
    ]  # fmt: skip


def chat_judge(context: RunContext, results: Results) -> ClaimVerdict:
    try:
        result = results[CHAT]
        ratio = ratio_estimate(result, SYNC_CONSUMER, ASYNC_CONSUMER, "p99")
        p99 = {
            pair[1]: value_estimate(result, pair, "p99").median
            for pair in (SYNC_CONSUMER, ASYNC_CONSUMER)
        }
        lost = {
            pair[1]: sum(r["chat"]["lost"] for r in runs_of(result, *pair))
            for pair in (SYNC_CONSUMER, ASYNC_CONSUMER)
        }
        members = result["bench"]["chat"]["members"]
    except (MissingResult, KeyError, TypeError) as exc:
        return CLAIM_CHAT.failed(results, [CHAT], exc)
    verdict: Verdict
    if ratio.low > _SLOWER or (lost["sync"] > 0 and lost["async"] == 0):
        verdict = "supported"
    elif ratio.high < 1.0 and lost["sync"] <= lost["async"]:
        verdict = "refuted"
    else:
        verdict = "inconclusive"
    summary = (
        f"{members} members on uvicorn: broadcast fan-out p99 sync consumer {ms(p99['sync'])}, "
        f"async {ms(p99['async'])} ({ratio.median:.2f}x); lost: sync {lost['sync']}, "
        f"async {lost['async']}"
    )
    figures = {"members": members, "fanout_p99_ms": p99, "lost": lost,
               "sync_over_async_p99": ratio.to_dict()}  # fmt: skip
    reason = (
        f"rule: sync-consumer fan-out p99 over async above {_SLOWER} ({ratio.describe()}), "
        "or the sync consumer loses messages the async one does not"
    )
    return CLAIM_CHAT.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM_CHAT = Claim(
    id="websocket-chat",
    statement="Real-time chat is an async job (Channels)",
    sources=("002", "003"),
    meaning=(
        "WebSockets need an ASGI server (Channels). A sync consumer handles each message in a"
        " thread (through async_to_sync), an async one on the event loop; the fan-out above "
        "compares them."
    ),
    experiments=chat_experiments,
    judge=chat_judge,
)
