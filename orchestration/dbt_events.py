"""Yield dagster-dbt's events in the asset graph's topological order.

The manifest Dagster reads is parsed without run-time vars; a model whose ``ref`` depends on a var
(``as_of_date()`` refs staging only when ``as_of_date`` is unset) has an edge in Dagster's graph that
the run's dbt DAG lacks, so dbt may finish it before that "upstream", and Dagster refuses outputs out of
topological order. This holds an output (and its check results) back until its upstream outputs in the
same step have been yielded."""

from collections.abc import Iterable, Iterator, Mapping, Set
from typing import Any

import dagster as dg


def _key(event: Any, keys_by_output: Mapping[str, dg.AssetKey]) -> dg.AssetKey | None:
    if isinstance(event, dg.Output):
        return keys_by_output.get(event.output_name)
    return getattr(event, "asset_key", None)


def in_topological_order(
    events: Iterable[Any],
    deps: Mapping[dg.AssetKey, Set[dg.AssetKey]],
    keys_by_output: Mapping[str, dg.AssetKey],
    expected: Set[dg.AssetKey],
) -> Iterator[Any]:
    yielded: set[dg.AssetKey] = set()
    held: dict[dg.AssetKey, list[Any]] = {}

    def ready(key: dg.AssetKey) -> bool:
        return all(d in yielded or d not in expected or d == key for d in deps.get(key, ()))

    def release(key: dg.AssetKey) -> Iterator[Any]:
        yield from held.pop(key)
        yielded.add(key)

    def flush(force: bool) -> Iterator[Any]:
        progress = True
        while held and progress:
            progress = False
            for key in list(held):
                if ready(key) or (force and not any(d in held for d in deps.get(key, ()) if d != key)):
                    yield from release(key)
                    progress = True
        if force:  # a cycle cannot happen in dbt; release anything left in arrival order
            for key in list(held):
                yield from release(key)

    for event in events:
        key = _key(event, keys_by_output)
        if key is None or key not in expected:
            yield event
        elif isinstance(event, dg.Output):
            if ready(key):
                yield event
                yielded.add(key)
                yield from flush(force=False)
            else:
                held[key] = [event]
        elif key in held:
            held[key].append(event)
        else:
            yield event
    yield from flush(force=True)
