"""Scenario drivers: one per kind of scenario (see ``_base.Driver``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclab.lab._drivers._base import Driver, MeasuredWindow
from asynclab.lab._drivers._beside import BesideDriver
from asynclab.lab._drivers._http import HttpDriver, LongpollDriver
from asynclab.lab._drivers._sse import SseDriver
from asynclab.lab._drivers._upload import UploadDriver
from asynclab.lab._drivers._websocket import WebSocketDriver

if TYPE_CHECKING:
    from asynclab.lab._spec import BenchSpec

DRIVERS: dict[str, Driver] = {
    driver.name: driver
    for driver in (
        HttpDriver(),
        LongpollDriver(),
        SseDriver(),
        UploadDriver(),
        WebSocketDriver(),
        BesideDriver(),
    )
}


def scenario_driver(spec: BenchSpec) -> Driver:
    """The driver the scenario names in the catalog."""
    return DRIVERS[spec.scenario_spec.driver]


def driver_for(spec: BenchSpec) -> Driver:
    """The driver that measures ``spec``: the scenario's own, or ``beside`` when fast
    requests are measured beside its load."""
    return DRIVERS["beside"] if spec.fast_rate is not None else scenario_driver(spec)


__all__ = ["DRIVERS", "Driver", "MeasuredWindow", "driver_for", "scenario_driver"]
