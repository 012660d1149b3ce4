"""One run's figures, whichever driver measured it: what every summary and claim reads."""

from __future__ import annotations

from dataclasses import dataclass

from asynclab.load import ChatResult, LoadResult, StreamResult, summarize


@dataclass(frozen=True)
class RunFigures:
    """One run's figures in the same terms for every kind of load (each driver says which).

    Request/response runs: rate is answers/s, latency is request latency, a request is one
    request. Stream runs: rate is events/s, latency is event delivery lag, a request is one
    stream (an error: refused, failed or stalled), and in flight means open at the peak.
    Chat runs: rate is deliveries/s, latency is a message's fan-out, a request is one
    expected delivery (an error: lost), and in flight means members connected.
    """

    rate: float
    ok_rate: float
    latency_ms: dict[str, float | None]
    requests: int
    errors: int
    answered: int  # what CPU per request divides by: answers, or events
    in_flight: float
    generator_cpu: float
    partial: int | None

    @classmethod
    def of_load(cls, load: LoadResult) -> RunFigures:
        return cls(
            rate=load.achieved_rate,
            ok_rate=load.achieved_rate * (1 - load.error_rate),
            latency_ms=load.latency_ms,
            requests=load.samples.total,
            errors=load.samples.total - load.samples.ok,
            answered=load.samples.completed_in_window,
            # Requests in flight on average (Little's law): what memory above idle is shared by.
            in_flight=load.achieved_rate * (load.latency_ms["mean"] or 0) / 1000,
            generator_cpu=load.cpu_percent,
            partial=load.samples.marked if load.spec.count_header else None,
        )

    @classmethod
    def of_streams(cls, streams: StreamResult) -> RunFigures:
        rate = streams.samples.events / streams.wall_s if streams.wall_s else 0.0
        return cls(
            rate=rate,
            ok_rate=rate,
            latency_ms=summarize(streams.samples.lag),
            requests=streams.spec.streams,
            errors=streams.broken,
            answered=streams.samples.events,
            in_flight=streams.samples.open_peak,
            generator_cpu=streams.cpu_percent,
            partial=None,
        )

    @classmethod
    def of_chat(cls, chat: ChatResult) -> RunFigures:
        return cls(
            rate=chat.delivery_rate,
            ok_rate=chat.delivery_rate,
            latency_ms=summarize(chat.samples.fanout),
            requests=chat.samples.expected,
            errors=chat.lost,
            answered=chat.samples.delivered,
            in_flight=chat.spec.members - chat.samples.refused,
            generator_cpu=chat.cpu_percent,
            partial=None,
        )
