"""The shape of a suite kept as code: frames (one DuckDB query each, one row per record checked) and
the expectations validated on them. GX objects are built from these in ``runner`` only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

Params = dict[str, Any]


@dataclass(frozen=True)
class Expectation:
    """One expectation: ``name`` is its key in checks.yml, ``gx_type`` the GX expectation class.

    ``kwargs(params)`` gives the GX arguments from the configured thresholds. Column-map
    expectations report their failing records through GX (unexpected count and index list); an
    aggregate expectation (a mean, a row count) says which rows count as failing with ``failing``.
    """

    name: str
    gx_type: str
    kwargs: Callable[[Params], dict[str, Any]]
    description: str
    threshold: Callable[[Params], str] = lambda params: ""
    failing: Callable[[pd.DataFrame, Params], pd.Series] | None = None
    # When a frame row stands for many records (a table's missing ids), the failing record count is
    # the sum of this column over the failing rows instead of the number of failing rows.
    count_column: str | None = None


@dataclass(frozen=True)
class Frame:
    """A small DataFrame fetched from the build database. ``key`` names the record's id column."""

    name: str
    guards: str  # the mart (schema.table) whose asset check runs this frame
    key: str
    sql: Callable[[Params], str]
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    frames: tuple[Frame, ...]
    handoff: str | None = None  # the handoff this suite guards (None for load completeness)
    tags: tuple[str, ...] = field(default_factory=tuple)

    def gx_suite_name(self, frame: Frame) -> str:
        return self.name if len(self.frames) == 1 else f"{self.name}.{frame.name}"

    @property
    def expectation_names(self) -> list[str]:
        return [e.name for f in self.frames for e in f.expectations]


def not_null(name: str, column: str, description: str) -> Expectation:
    return Expectation(name, "ExpectColumnValuesToNotBeNull", lambda p: {"column": column}, description)


def at_most(name: str, column: str, param: str, description: str) -> Expectation:
    """Every non-null value of ``column`` is at most the configured ``param``."""
    return Expectation(
        name,
        "ExpectColumnValuesToBeBetween",
        lambda p: {"column": column, "min_value": None, "max_value": p[param]},
        description,
        threshold=lambda p: f"{column} <= {p[param]}",
    )


def equals_zero(name: str, column: str, description: str) -> Expectation:
    """Every value of the count ``column`` is 0; failing records = the sum of the non-zero counts."""
    return Expectation(
        name,
        "ExpectColumnValuesToBeBetween",
        lambda p: {"column": column, "min_value": 0, "max_value": 0},
        description,
        threshold=lambda p: f"{column} = 0",
        count_column=column,
    )


def share_at_least(name: str, flag: str, param: str, description: str) -> Expectation:
    """The mean of boolean ``flag`` is at least the configured ``param``; rows where it is false fail."""
    return Expectation(
        name,
        "ExpectColumnMeanToBeBetween",
        lambda p: {"column": flag, "min_value": p[param], "max_value": None},
        description,
        threshold=lambda p: f"mean({flag}) >= {p[param]}",
        failing=lambda df, p: ~df[flag].astype(bool),
    )


def share_at_most_false(name: str, flag: str, param: str, description: str) -> Expectation:
    """At most ``param`` of the rows have boolean ``flag`` false."""
    return Expectation(
        name,
        "ExpectColumnMeanToBeBetween",
        lambda p: {"column": flag, "min_value": 1 - p[param], "max_value": None},
        description,
        threshold=lambda p: f"share of not {flag} <= {p[param]}",
        failing=lambda df, p: ~df[flag].astype(bool),
    )
