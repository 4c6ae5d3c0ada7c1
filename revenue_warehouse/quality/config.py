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
    raw = yaml.safe_load(path.read_text()) or {}
    checks: dict[tuple[str, str], CheckConfig] = {}
    suite_params: dict[str, dict[str, Any]] = {}
    for suite, expectations in (raw.get("suites") or {}).items():
        expectations = dict(expectations or {})
        suite_params[suite] = dict(expectations.pop("params", None) or {})
        for name, entry in expectations.items():
            entry = dict(entry or {})
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
                if floor is not None and not 0 <= float(floor) <= 1:
                    raise ValueError(f"{path}: {suite}.{name}: floor must be between 0 and 1, got {floor!r}")
            checks[(suite, name)] = CheckConfig(suite, name, severity, entry, kind)
    return QualityConfig(checks, int(raw.get("sample_size", 10)), str(path), suite_params)


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
