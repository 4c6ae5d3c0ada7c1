"""Expectation suites as code: one module per handoff, plus load completeness."""

from __future__ import annotations

from revenue_warehouse.quality.spec import Suite
from revenue_warehouse.quality.suites.customer_success_to_renewal import SUITE as CS_TO_RENEWAL
from revenue_warehouse.quality.suites.load_completeness import SUITE as LOAD_COMPLETENESS
from revenue_warehouse.quality.suites.marketing_to_sales import SUITE as MARKETING_TO_SALES
from revenue_warehouse.quality.suites.sales_to_customer_success import SUITE as SALES_TO_CS

SUITES: dict[str, Suite] = {
    s.name: s for s in (LOAD_COMPLETENESS, MARKETING_TO_SALES, SALES_TO_CS, CS_TO_RENEWAL)
}


def get_suite(name: str) -> Suite:
    try:
        return SUITES[name]
    except KeyError:
        raise KeyError(f"unknown suite {name!r}; known: {sorted(SUITES)}") from None
