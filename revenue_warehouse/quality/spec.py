"""The shape of a suite kept as code: frames (one DuckDB query each, one row per record checked) and
the expectations validated on them. GX objects are built from these in ``runner`` only.

Handoff frames read a check model of the ``quality`` schema (models/quality: one row per record
checked, its flags and keys, built by dbt) and assert on it; no frame reads staging or intermediate
(tests/test_quality_models.py asserts it from the frames' SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: loading the code location does not import pandas (about 1.4 s)
    import pandas as pd

Params = dict[str, Any]


@dataclass(frozen=True)
class Expectation:
    """One expectation: ``name`` is its key in checks.yml, ``gx_type`` the GX expectation class.

    ``kwargs(params)`` gives the GX arguments from the configured thresholds (the suite's parameters
    and this expectation's own entry in checks.yml, e.g. its ``floor``). Column-map
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
    """A small DataFrame fetched from the build database. ``key`` names the record's id column.

    ``total`` counts every record of the frame's input (decided or not) and ``upstream`` the records
    upstream that should have produced them: an input that is empty while its upstream is not (won
    deals exist, onboarding rows do not) is a data-integrity failure; a frame without rows to check
    reports ``no_records``. ``systems`` and ``departments`` are what the check needs (company.yml;
    a handoff suite's frames need the handoff's two departments, seeds/handoff_slas.csv): without
    them it reports ``not_applicable``. ``window_column`` names the frame's date column (from its
    check model) on which a handoff's recent-window floor (checks.yml ``recent_days``) selects."""

    name: str
    guards: str  # the model (schema.table) read, whose asset check runs this frame
    key: str
    sql: Callable[[Params], str]
    expectations: tuple[Expectation, ...]
    total: Callable[[Params], str] | None = None
    upstream: Callable[[Params], str] | None = None
    systems: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    window_column: str | None = None


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


def configured_floor(params: Params) -> float:
    return float(params["floor"])


def met_at_least(
    name: str, description: str, floor: Callable[[Params], float] = configured_floor
) -> Expectation:
    """Handoff completeness: the share of decided records whose ``is_met`` is true is at least the
    floor (GX ``mostly``). Every record that is not met is a failing record (count and sample ids from
    GX) whether or not the share is above the floor: leaks are reported, and block only below it."""
    return Expectation(
        name,
        "ExpectColumnValuesToBeInSet",
        lambda p: {"column": "is_met", "value_set": [True], "mostly": floor(p)},
        description,
        threshold=lambda p: f"share met >= {floor(p)}",
    )


def recent_met_at_least(expectation: Expectation, params: Params) -> Expectation:
    """The recent-window sub-check of a handoff expectation (checks.yml ``recent_days``): the share
    met of the decided records of the last ``recent_days`` days is at least ``recent_floor`` (GX
    ``mostly``). Reported as ``<expectation>.recent_<days>d``."""
    days = int(params["recent_days"])

    def recent_floor(p: Params) -> float:
        return float(p["recent_floor"])

    return Expectation(
        f"{expectation.name}.recent_{days}d",
        "ExpectColumnValuesToBeInSet",
        lambda p: {"column": "is_met", "value_set": [True], "mostly": recent_floor(p)},
        f"{expectation.description} (decided in the {days} days before the as-of date)",
        threshold=lambda p: f"share met of the last {days} days >= {recent_floor(p)}",
    )


# The date column of the handoff check models that carry one (the day a record became due): a
# handoff's recent-window floor (checks.yml recent_days) selects on it.
DUE_DATE = "due_date"


def check_model_frame(
    expectation: Expectation,
    model: str,
    *,
    systems: tuple[str, ...],
    departments: tuple[str, ...] = (),
    upstream: Callable[[Params], str] | None = None,
    window_column: str | None = None,
) -> Frame:
    """The frame of a handoff check model ``quality.<model>``: its decided records (``is_decided``:
    pending ones are not counted), keyed by ``check_key``, with ``window_column`` when given."""
    relation = f"quality.{model}"
    columns = ", ".join(["check_key", "is_met", *([window_column] if window_column else [])])
    return Frame(
        expectation.name,
        guards=relation,
        key="check_key",
        sql=lambda p: f"select {columns} from {relation} where is_decided order by check_key",
        expectations=(expectation,),
        total=lambda p: f"select count(*) from {relation}",
        upstream=upstream,
        systems=systems,
        departments=departments,
        window_column=window_column,
    )
