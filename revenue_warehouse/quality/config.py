"""checks.yml: which checks block publication (severity ``error``) and which warn, with thresholds."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG = Path(__file__).with_name("checks.yml")
SEVERITIES = ("error", "warn")


@dataclass(frozen=True)
class CheckConfig:
    suite: str
    expectation: str
    severity: str
    params: dict[str, Any]

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
    value = os.environ.get("WAREHOUSE_CHECKS_CONFIG")
    return Path(value).expanduser().resolve() if value else DEFAULT_CONFIG


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
            checks[(suite, name)] = CheckConfig(suite, name, severity, entry)
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
