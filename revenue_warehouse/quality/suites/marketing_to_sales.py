"""Marketing to sales: every MQL handed over has a sales owner; the share picked up within the SLA
reaches its target (``seeds/handoff_slas.csv`` unless checks.yml overrides it); no CRM lead lacks its
marketing contact beyond a small configured share (orphans are recorded dirt)."""

from __future__ import annotations

from revenue_warehouse.quality.spec import Frame, Params, Suite, not_null, share_at_least, share_at_most_false

HANDOFF = "marketing_to_sales"


def _mqls_sql(params: Params) -> str:
    return f"""
select
    h.record_id as lead_id,
    h.to_owner_id as sales_owner_id,
    coalesce(h.is_within_sla, false) as is_within_sla
from funnel.fct_handoffs as h
where h.handoff = '{HANDOFF}'
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


SUITE = Suite(
    name=HANDOFF,
    handoff=HANDOFF,
    description="MQLs reach a sales owner, quickly enough, and CRM leads trace back to marketing.",
    frames=(
        Frame(
            "mqls",
            guards="funnel.fct_handoffs",
            key="lead_id",
            sql=_mqls_sql,
            expectations=(
                not_null(
                    "mql_has_sales_owner", "sales_owner_id", "Every MQL handed to sales has a sales owner."
                ),
                share_at_least(
                    "mql_pickup_within_sla_share",
                    "is_within_sla",
                    "min_share",
                    "The share of MQLs picked up within the SLA reaches the target.",
                ),
            ),
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
