"""Marketing to sales: every MQL handed over gets a sales owner; the share picked up within the SLA
reaches its target (``target_share`` in ``seeds/handoff_slas.csv`` unless checks.yml sets a
``floor``); CRM leads trace back to a marketing contact. The logic is in the check models
``quality.qc_mql_*`` and ``quality.qc_crm_lead_has_marketing_contact``; these frames only assert."""

from __future__ import annotations

from revenue_warehouse.quality.spec import DUE_DATE, Params, Suite, check_model_frame, met_at_least

HANDOFF = "marketing_to_sales"
NEEDS = {"systems": ("marketing", "crm")}


def min_share(params: Params) -> float:
    configured = params.get("floor")
    if configured is not None:
        return float(configured)
    try:
        return float(params["sla_targets"][HANDOFF])
    except KeyError:
        raise KeyError(
            f"no floor in checks.yml and no target_share for {HANDOFF} in reference.handoff_slas"
        ) from None


def _mqls(params: Params) -> str:
    """Every MQL is one marketing-to-sales handoff instance (docs/metrics.md#handoffs)."""
    return "select count(*) from marketing.fct_leads where is_mql and not is_deleted"


SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="MQLs reach a sales owner, quickly enough, and CRM leads trace back to marketing.",
    frames=(
        check_model_frame(
            met_at_least("mql_has_sales_owner", "Every MQL handed to sales gets a sales owner."),
            "qc_mql_has_sales_owner",
            upstream=_mqls,
            window_column=DUE_DATE,
            **NEEDS,
        ),
        check_model_frame(
            met_at_least(
                "mql_pickup_within_sla_share",
                "The share of MQLs picked up by sales within the SLA reaches the target.",
                floor=min_share,
            ),
            "qc_mql_pickup_within_sla",
            upstream=_mqls,
            window_column=DUE_DATE,
            **NEEDS,
        ),
        check_model_frame(
            met_at_least(
                "crm_lead_has_marketing_contact",
                "CRM leads have a HubSpot contact, but for the share expected from recorded orphans.",
            ),
            "qc_crm_lead_has_marketing_contact",
            **NEEDS,
        ),
    ),
)
