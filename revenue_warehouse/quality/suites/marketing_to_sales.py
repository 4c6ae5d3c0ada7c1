"""Marketing to sales: every MQL handed over has a sales owner; the share picked up within the SLA
reaches its target (``target_share`` in ``seeds/handoff_slas.csv`` unless checks.yml sets
``min_share``); no CRM lead lacks its marketing contact beyond a small configured share (orphan leads
are recorded dirt)."""

from __future__ import annotations

from revenue_warehouse.quality.spec import Expectation, Frame, Params, Suite, not_null, share_at_most_false

HANDOFF = "marketing_to_sales"


def min_share(params: Params) -> float:
    configured = params.get("min_share")
    if configured is not None:
        return float(configured)
    try:
        return float(params["sla_targets"][HANDOFF])
    except KeyError:
        raise KeyError(
            f"no min_share in checks.yml and no target_share for {HANDOFF} in reference.handoff_slas"
        ) from None


def _mqls_sql(params: Params) -> str:
    return """
select person_id, owner_id as sales_owner_id
from marketing.fct_leads
where is_mql and not is_deleted
order by 1
"""


def _pickups_sql(params: Params) -> str:
    # Only handoffs whose SLA has run out by the as-of date: younger ones may still be picked up in time.
    return f"""
select record_id, coalesce(is_within_sla, false) as is_within_sla
from funnel.fct_handoffs
where handoff = '{HANDOFF}'
    and handed_at + to_hours(cast(sla_hours as bigint)) <= timestamp '{params["as_of"]} 23:59:59'
order by 1
"""


def _crm_leads_sql(params: Params) -> str:
    return """
select
    l.lead_id,
    exists (
        select 1 from staging.stg_hubspot__contacts as c
        where c.salesforce_lead_id = l.lead_id or (l.email is not null and c.email = l.email)
    ) as has_marketing_contact
from staging.stg_salesforce__leads as l
where not l.is_deleted
order by 1
"""


PICKUP_WITHIN_SLA = Expectation(
    "mql_pickup_within_sla_share",
    "ExpectColumnMeanToBeBetween",
    lambda p: {"column": "is_within_sla", "min_value": min_share(p), "max_value": None},
    "The share of MQLs picked up by sales within the SLA reaches the target.",
    threshold=lambda p: f"share within SLA >= {min_share(p)}",
    failing=lambda df, p: ~df["is_within_sla"].astype(bool),
)

SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="MQLs reach a sales owner, quickly enough, and CRM leads trace back to marketing.",
    frames=(
        Frame(
            "mqls",
            guards="marketing.fct_leads",
            key="person_id",
            sql=_mqls_sql,
            expectations=(
                not_null(
                    "mql_has_sales_owner", "sales_owner_id", "Every MQL handed to sales has a sales owner."
                ),
            ),
        ),
        Frame(
            "pickups",
            guards="funnel.fct_handoffs",
            key="record_id",
            sql=_pickups_sql,
            expectations=(PICKUP_WITHIN_SLA,),
        ),
        Frame(
            "crm_leads",
            guards="marketing.fct_leads",
            key="lead_id",
            sql=_crm_leads_sql,
            expectations=(
                share_at_most_false(
                    "crm_lead_has_marketing_contact",
                    "has_marketing_contact",
                    "max_orphan_share",
                    "CRM leads without a HubSpot contact stay within the share expected from recorded orphans.",
                ),
            ),
        ),
    ),
)
