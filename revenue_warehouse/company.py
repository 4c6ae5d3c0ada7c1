"""The company's silos as configuration (``company.yml``): which source systems it has (marketing
automation, CRM, billing) and which departments it runs. Checks that need an absent system or
department report ``not_applicable`` with the reason instead of failing (docs/silos.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from revenue_warehouse.contract import SYSTEMS
from revenue_warehouse.settings import get_settings

SYSTEM_KINDS: tuple[str, ...] = tuple(dict.fromkeys(SYSTEMS.values()))  # marketing, crm, billing


@dataclass(frozen=True)
class Company:
    systems: frozenset[str]  # of SYSTEM_KINDS
    departments: frozenset[str] | None  # None: every department of seeds/departments.csv
    source: str = ""

    def source_systems(self) -> list[str]:
        """The extract systems (``hubspot``, ...) of the declared system kinds."""
        return [name for name, kind in SYSTEMS.items() if kind in self.systems]

    def missing(self, systems: tuple[str, ...], departments: tuple[str, ...]) -> str | None:
        """Why a check needing ``systems`` and ``departments`` does not apply, or None if it does."""
        reasons = [f"no {kind} system" for kind in systems if kind not in self.systems]
        if self.departments is not None:
            reasons += [f"no {d} department" for d in departments if d not in self.departments]
        return f"{'; '.join(reasons)} ({self.source})" if reasons else None


def company_config_path() -> Path:
    """``company_config`` of the settings (``WAREHOUSE_COMPANY_CONFIG``)."""
    return get_settings().company_config


def load_company(path: Path | str | None = None) -> Company:
    path = Path(path) if path else company_config_path()
    raw = yaml.safe_load(path.read_text()) or {}
    systems = [str(s) for s in raw.get("systems") or []]
    unknown = sorted(set(systems) - set(SYSTEM_KINDS))
    if unknown:
        raise ValueError(f"{path}: unknown systems {unknown}; known: {list(SYSTEM_KINDS)}")
    departments = raw.get("departments")
    run = None if departments is None else frozenset(str(d) for d in departments)
    return Company(frozenset(systems), run, str(path))
