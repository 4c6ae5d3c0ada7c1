"""checks.yml: which checks block publication (severity ``error``) and which warn, with thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from revenue_warehouse.settings import DEFAULT_CHECKS_CONFIG, get_settings

DEFAULT_CONFIG = DEFAULT_CHECKS_CONFIG
SEVERITIES = ("error", "warn")
# integrity: broken data (a missing feed, lost rows, lost ids): any failing record fails the check.
# handoff: completeness of a handoff, measured per record and published; with severity error it
# blocks only when the share met falls below its ``floor`` (GX ``mostly``), the sign of a broken
# feed rather than a human lapse.
KINDS = ("integrity", "handoff")
# A handoff check may add a recent-window floor (``recent_days``): the share met of the decided records
# of the last ``recent_days`` days before the as-of date must reach ``recent_floor`` too. The overall
# floor is measured over all history, so a feed that stopped last week stays above it; the window
# catches it. A week holds few records, so its floor is lower than the overall one by default: one
# forgotten record in a small week must not block, a stopped sync (0% met) does.
DEFAULT_RECENT_FLOOR = 0.5


@dataclass(frozen=True)
class CheckConfig:
    suite: str
    expectation: str
    severity: str
    params: dict[str, Any]
    kind: str = "integrity"

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class QualityConfig:
    checks: dict[tuple[str, str], CheckConfig]
    sample_size: int = 10
    source: str = ""
    # suite-wide parameters of the frames' SQL (``params:`` under a suite), e.g. a grace period
    suite_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, suite: str, expectation: str) -> CheckConfig:
        try:
            return self.checks[(suite, expectation)]
        except KeyError:
            raise KeyError(f"{self.source}: no configuration for {suite}.{expectation}") from None


def config_path() -> Path:
    return get_settings().checks_config


def load_config(path: Path | str | None = None) -> QualityConfig:
    path = Path(path) if path else config_path()
    raw = _mapping(_read_yaml(path), f"{path}: the file")
    checks: dict[tuple[str, str], CheckConfig] = {}
    suite_params: dict[str, dict[str, Any]] = {}
    for suite, expectations in _mapping(raw.get("suites"), f"{path}: suites").items():
        expectations = _mapping(expectations, f"{path}: suites.{suite}")
        suite_params[suite] = dict(expectations.pop("params", None) or {})
        for name, entry in expectations.items():
            entry = _mapping(entry, f"{path}: {suite}.{name}")
            severity = entry.pop("severity", None)
            if severity not in SEVERITIES:
                raise ValueError(
                    f"{path}: {suite}.{name}: severity must be one of {SEVERITIES}, got {severity!r}"
                )
            kind = entry.pop("kind", "integrity")
            if kind not in KINDS:
                raise ValueError(f"{path}: {suite}.{name}: kind must be one of {KINDS}, got {kind!r}")
            if kind == "handoff":
                if "floor" not in entry:
                    raise ValueError(f"{path}: {suite}.{name}: a handoff check needs a floor (0..1)")
                floor = entry["floor"]
                if floor is not None and not 0 <= _number(floor, f"{path}: {suite}.{name}: floor") <= 1:
                    raise ValueError(f"{path}: {suite}.{name}: floor must be between 0 and 1, got {floor!r}")
                _recent_window(entry, f"{path}: {suite}.{name}")
            elif "recent_days" in entry or "recent_floor" in entry:
                raise ValueError(
                    f"{path}: {suite}.{name}: recent_days/recent_floor apply to handoff checks only"
                )
            checks[(suite, name)] = CheckConfig(suite, name, severity, entry, kind)
    return QualityConfig(checks, int(raw.get("sample_size", 10)), str(path), suite_params)


def _read_yaml(path: Path) -> Any:
    """The parsed file; a syntax error is a ``ValueError`` naming the file, line and column."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ValueError(f"{path}: {where}{exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from None


def _number(value: Any, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where} must be a number, got {value!r}") from None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    """``value`` as a new dict (``{}`` for empty), or a ``ValueError`` saying where it is not a mapping."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a mapping (name: value), got {type(value).__name__}")
    return dict(value)


def _recent_window(entry: dict[str, Any], where: str) -> None:
    """Check (and complete with its default floor) a handoff check's recent-window floor, in place."""
    days = entry.get("recent_days")
    if days is None:
        if entry.get("recent_floor") is not None:
            raise ValueError(f"{where}: recent_floor needs recent_days")
        entry.pop("recent_days", None)
        return
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"{where}: recent_days must be a whole number of days >= 1, got {days!r}")
    floor = entry.get("recent_floor")
    floor = DEFAULT_RECENT_FLOOR if floor is None else floor
    if not 0 <= float(floor) <= 1:
        raise ValueError(f"{where}: recent_floor must be between 0 and 1, got {floor!r}")
    entry["recent_floor"] = float(floor)


def validate_against(config: QualityConfig, defined: dict[str, list[str]]) -> None:
    """Every expectation defined in code has a configuration and every configuration a definition."""
    in_code = {(s, e) for s, names in defined.items() for e in names}
    missing = sorted(in_code - set(config.checks))
    unknown = sorted(set(config.checks) - in_code)
    problems = [f"no severity for {s}.{e}" for s, e in missing] + [
        f"unknown check {s}.{e}" for s, e in unknown
    ]
    if problems:
        raise ValueError(f"{config.source}: " + "; ".join(problems))
