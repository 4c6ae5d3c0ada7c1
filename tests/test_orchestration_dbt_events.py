"""dbt events are re-ordered so a model is never yielded before an upstream model of the same step."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_events import in_topological_order

A, B, C = dg.AssetKey("a"), dg.AssetKey("b"), dg.AssetKey("c")
DEPS = {A: set(), B: {A}, C: {B, dg.AssetKey("raw")}}
OUTPUTS = {"a": A, "b": B, "c": C}


def out(name: str) -> dg.Output:
    return dg.Output(None, output_name=name)


def check(key: dg.AssetKey) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(asset_key=key, check_name="t", passed=True)


def names(events: list) -> list[str]:
    return [e.output_name if isinstance(e, dg.Output) else f"check:{e.asset_key.path[-1]}" for e in events]


def test_outputs_wait_for_their_upstreams_with_their_checks() -> None:
    events = [out("c"), check(C), out("a"), check(A), out("b")]
    ordered = list(in_topological_order(events, DEPS, OUTPUTS, {A, B, C}))
    assert names(ordered) == ["a", "check:a", "b", "c", "check:c"]


def test_upstreams_outside_the_selection_do_not_hold_back() -> None:
    ordered = list(in_topological_order([out("c"), out("b")], DEPS, OUTPUTS, {B, C}))
    assert names(ordered) == ["b", "c"]


def test_outputs_whose_upstream_never_comes_are_released_at_the_end() -> None:
    ordered = list(in_topological_order([out("c"), check(A)], DEPS, OUTPUTS, {A, B, C}))
    assert names(ordered) == ["check:a", "c"]
