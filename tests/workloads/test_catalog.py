"""The scenario catalog: parameters read and checked the same way by the lab and the views."""

from __future__ import annotations

import pytest

from asynclab.errors import UsageError
from asynclab.workloads import InvalidParameter, get_scenario


def test_defaults_and_given_values_are_read() -> None:
    fanout = get_scenario("fanout")
    values = fanout.parse_params({"n": "20", "hang": "7,3"})
    assert values["n"] == 20 and values["latency_ms"] == 50 and values["hang"] == (3, 7)


@pytest.mark.parametrize(
    ("given", "param"),
    [
        ({"n": "0"}, "n"),
        ({"n": "1.5"}, "n"),
        ({"jitter": "lognormal"}, "jitter"),
        ({"deadline_ms": "inf"}, "deadline_ms"),
        ({"nn": "3"}, "nn"),
    ],
)
def test_bad_values_name_their_parameter(given: dict[str, str], param: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        get_scenario("fanout").parse_params(given)
    assert caught.value.param == param


def test_paths_leave_start_time_parameters_out() -> None:
    assert get_scenario("fanout").path("async", {"n": "3"}) == "/fanout/async?n=3"
    assert get_scenario("middleware").path("sync-stack", {"m": "9"}) == "/middleware/sync-stack"


def test_unknown_scenario_and_variant_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="unknown scenario 'fan'"):
        get_scenario("fan")
    with pytest.raises(UsageError, match="has no variant 'threads'"):
        get_scenario("orm").check_variant("threads")


def test_opt_in_variants_run_only_when_named() -> None:
    from asynclab.lab import BenchSpec

    dashboard = get_scenario("dashboard")
    assert dashboard.variants == ("sync", "async")
    assert "async-backend-gather" in dashboard.all_variants
    dashboard.check_variant("async-backend")  # accepted when named
    assert BenchSpec("dashboard").planned_variants == ("sync", "async")
    named = BenchSpec("dashboard", variants=("async", "async-backend"))
    assert named.planned_variants == ("async", "async-backend")
