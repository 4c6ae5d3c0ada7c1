"""The extract contract: which tables each source system lands, with which columns.

This module is the single place that says what the simulator writes, what the loader
expects and types, and what dbt staging reads. Table and column names follow what
Fivetran's connectors land for Salesforce, HubSpot and Stripe (see
Fivetran's dbt packages' integration-test seeds); the simulator produces a subset of their columns.

Conventions for extract files (``<extracts>/<system>/<table>/<YYYY-MM-DD>.<csv|parquet>``):

* CSV with a header row, comma separated, UTF-8, ``"`` quoting, empty field = NULL.
* Timestamps are UTC, written ``YYYY-MM-DD HH:MM:SS``; dates ``YYYY-MM-DD``.
* Booleans are ``true`` / ``false``.
* Stripe amounts are integers in minor units (cents / pence) with a ``currency`` column
  (lower-case ISO code, ``usd``, ``eur``, ``gbp``); Salesforce amounts are decimals in
  the record's ``currency_iso_code`` (upper-case ISO code).
* Every row carries ``_fivetran_synced``; a changed record reappears in a later daily
  file with a newer ``_fivetran_synced``: the latest version wins.

``required`` columns must be present in a file's header or the file fails its
partition. Other declared columns may be missing (they load as NULL). Columns that are
not declared are kept as VARCHAR (and reported), so that a connector adding a column
never stops a load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# an extract date as a file name (and wherever a day is given: --from/--to, partition keys, settings)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> date:
    """``text`` as a day written ``YYYY-MM-DD`` and nothing else. ``date.fromisoformat`` alone also
    takes ``20240102``, ``2024-W01-2`` and more, which would load a misnamed file under some date.
    Raises ``ValueError`` saying what is expected."""
    if ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")


SYSTEMS: dict[str, str] = {
    "hubspot": "marketing",
    "salesforce": "crm",
    "stripe": "billing",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type name used when the loader casts the raw text
    required: bool = False
    description: str = ""
    # personal data of a person outside the company (e-mail, phone, a lead's or contact's name): masked
    # on publish, never published in clear (not even inside a quarantined raw line). Internal users'
    # names (sales reps, CSMs, marketing owners) are not personal here: analysts need them.
    personal: bool = False


@dataclass(frozen=True)
class Table:
    system: str
    name: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    synced_column: str = "_fivetran_synced"
    # Fivetran fixture file stem for this table (``<stem>.csv`` among the package's integration-test seeds)
    fixture_stem: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def qualified_name(self) -> str:
        return f"raw_{self.system}.{self.name}"

    @property
    def personal_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]

    @property
    def holds_personal_data(self) -> bool:
        return any(c.personal for c in self.columns)


def _c(name: str, type_: str = "VARCHAR", required: bool = False, description: str = "") -> Column:
    return Column(name, type_, required, description)


def _p(name: str, description: str = "") -> Column:
    """A personal text column (see ``Column.personal``)."""
    return Column(name, "VARCHAR", False, description, personal=True)


TS = "TIMESTAMP"
SYNCED = _c("_fivetran_synced", TS, True, "When the connector last synced this record (UTC).")
IS_DELETED = _c("is_deleted", "BOOLEAN", False, "Soft delete flag set by the source system.")
FT_DELETED = _c("_fivetran_deleted", "BOOLEAN", False, "Soft delete flag set by the connector.")


TABLES: tuple[Table, ...] = (
    # ------------------------------------------------------------------ HubSpot (marketing)
    Table(
        "hubspot",
        "contact",
        ("id",),
        (
            _c("id", "BIGINT", True),
            SYNCED,
            FT_DELETED,
            _p("property_email", "Email as typed by the person (may vary in case/whitespace)."),
            _p("property_firstname"),
            _p("property_lastname"),
            _c("property_company"),
            _c("property_jobtitle"),
            _p("property_phone"),
            _c("property_createdate", TS, True, "When the contact was created (the lead date)."),
            _c(
                "property_lifecyclestage",
                description="subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer",
            ),
            _c(
                "property_hs_lifecyclestage_marketingqualifiedlead_date",
                TS,
                False,
                "When the contact became an MQL.",
            ),
            _c(
                "property_hs_analytics_source",
                description="Original source (ORGANIC_SEARCH, PAID_SEARCH, PAID_SOCIAL, EMAIL_MARKETING, REFERRALS, DIRECT_TRAFFIC, OFFLINE, SOCIAL_MEDIA).",
            ),
            _c(
                "property_hs_analytics_source_data_1",
                description="Original source drill-down 1 (utm_campaign for paid).",
            ),
            _c("property_hubspotscore", "BIGINT"),
            _c("property_associatedcompanyid", "BIGINT"),
            _c("property_salesforceleadid", description="Salesforce lead id this contact is synced to."),
            _c(
                "property_salesforcecontactid", description="Salesforce contact id this contact is synced to."
            ),
        ),
        "Marketing contacts: one row per HubSpot contact record.",
        fixture_stem="contact_data",
    ),
    Table(
        "hubspot",
        "company",
        ("id",),
        (
            _c("id", "BIGINT", True),
            SYNCED,
            IS_DELETED,
            _c("property_name"),
            _c("property_domain"),
            _c("property_industry"),
            _c("property_numberofemployees", "BIGINT"),
            _c("property_country"),
            _c("property_createdate", TS),
        ),
        "Companies known to marketing.",
        fixture_stem="company_data",
    ),
    Table(
        "hubspot",
        "ad_campaign",
        ("id",),
        (
            _c("id", "BIGINT", True),
            SYNCED,
            IS_DELETED,
            _c("name", required=True),
            _c("channel", description="paid_search, paid_social, display, sponsorship"),
            _c("ad_network", description="google, linkedin, meta, capterra, events"),
            _c("utm_source"),
            _c("utm_medium"),
            _c("utm_campaign"),
            _c("start_date", "DATE"),
            _c("end_date", "DATE"),
            _c("currency", description="Currency of spend (upper-case ISO)."),
        ),
        "Paid campaigns run by marketing (HubSpot ads tool).",
    ),
    Table(
        "hubspot",
        "ad_campaign_daily",
        ("ad_campaign_id", "date"),
        (
            _c("ad_campaign_id", "BIGINT", True),
            _c("date", "DATE", True),
            SYNCED,
            _c("impressions", "BIGINT"),
            _c("clicks", "BIGINT"),
            _c("spend", "DECIMAL(18,2)", description="Spend in the campaign's currency."),
        ),
        "Daily delivery of each ad campaign: impressions, clicks, spend.",
    ),
    Table(
        "hubspot",
        "web_session",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("anonymous_id", description="Browser cookie id."),
            _c("contact_id", "BIGINT", description="Identified contact, once known (NULL for anonymous)."),
            _c("started_at", TS, True),
            _c("landing_page"),
            _c("referrer"),
            _c("utm_source"),
            _c("utm_medium"),
            _c("utm_campaign"),
            _c("pageviews", "BIGINT"),
        ),
        "Website sessions with UTM parameters.",
    ),
    Table(
        "hubspot",
        "form",
        ("guid",),
        (
            _c("guid", "VARCHAR", True),
            _c("name"),
            _c("form_type"),
            _c("created_at", TS),
            _c("updated_at", TS),
            _c(
                "_fivetran_synced",
                TS,
                False,
                "Not landed for forms by every connector version (Fivetran's form fixture has none).",
            ),
        ),
        "Forms on the website.",
        fixture_stem="form_data",
    ),
    Table(
        "hubspot",
        "contact_form_submission",
        ("conversion_id",),
        (
            _c("conversion_id", "VARCHAR", True),
            _c("contact_id", "BIGINT", True),
            _c("form_id"),
            _c("timestamp", TS, True),
            _c("page_url"),
            _c("title"),
            SYNCED,
        ),
        "Form fills by contacts.",
        fixture_stem="contact_form_submission_data",
    ),
    Table(
        "hubspot",
        "email_campaign",
        ("id",),
        (
            _c("id", "BIGINT", True),
            SYNCED,
            _c("name"),
            _c("subject"),
            _c("type"),
            _c("app_name"),
        ),
        "Marketing email campaigns.",
        fixture_stem="email_campaign_data",
    ),
    Table(
        "hubspot",
        "email_event",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("created", TS, True),
            _c("email_campaign_id", "BIGINT"),
            _p("recipient"),
            _c("type", required=True, description="SENT, DELIVERED, OPEN, CLICK, BOUNCE"),
        ),
        "Email events (sent, delivered, opened, clicked).",
        fixture_stem="email_event_data",
    ),
    Table(
        "hubspot",
        "email_event_click",
        ("id",),
        (_c("id", "VARCHAR", True), SYNCED, _c("url"), _c("referer"), _c("browser")),
        "Click details for CLICK email events (same id as email_event).",
        fixture_stem="email_event_click_data",
    ),
    Table(
        "hubspot",
        "owner",
        ("owner_id",),
        (
            _c("owner_id", "BIGINT", True),
            SYNCED,
            _p("email"),
            _c("first_name"),
            _c("last_name"),
            _c("created_at", TS),
            _c("updated_at", TS),
            _c("type"),
        ),
        "HubSpot users (marketing owners).",
        fixture_stem="owner_data",
    ),
    # ------------------------------------------------------------------ Salesforce (CRM)
    Table(
        "salesforce",
        "user_role",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("_fivetran_deleted", "BOOLEAN"),
            _c("name"),
            _c("developer_name"),
            _c("parent_role_id"),
        ),
        "Roles (SDR, AE, CSM and their managers).",
        fixture_stem="sf_user_role_data",
    ),
    Table(
        "salesforce",
        "user",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("_fivetran_deleted", "BOOLEAN"),
            _c("name"),
            _c("first_name"),
            _c("last_name"),
            _p("email"),
            _c("title"),
            _c("department"),
            _c("user_role_id"),
            _c("manager_id"),
            _c("is_active", "BOOLEAN"),
            _c("created_date", TS),
        ),
        "CRM users: sales reps, managers, customer success managers.",
        fixture_stem="sf_user_data",
    ),
    Table(
        "salesforce",
        "account",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("name"),
            _c("website"),
            _c("industry"),
            _c("number_of_employees", "BIGINT"),
            _c("billing_country"),
            _c("type", description="Prospect, Customer, Former Customer"),
            _c("owner_id"),
            _c("customer_success_manager_c", description="User id of the CSM (custom field)."),
            _c("segment_c", description="SMB, Mid-Market, Enterprise (custom field)."),
            _c("created_date", TS),
        ),
        "Accounts (companies) in the CRM.",
        fixture_stem="sf_account_data",
    ),
    Table(
        "salesforce",
        "lead",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("created_date", TS, True),
            _p("email"),
            _p("first_name"),
            _p("last_name"),
            _c("company"),
            _c("title"),
            _p("phone"),
            _c("status", description="Open, Working, Qualified, Disqualified, Converted"),
            _c("lead_source"),
            _c("owner_id"),
            _c("accepted_date_c", TS, description="When a sales owner accepted the lead (custom field)."),
            _c("qualified_date_c", TS, description="When the lead was qualified (custom field)."),
            _c("disqualified_date_c", TS, description="When the lead was disqualified (custom field)."),
            _c(
                "unqualified_reason_c",
                description="BANT reason: No Budget, No Authority, No Need, Bad Timing, Competitor, Unresponsive",
            ),
            _c("is_converted", "BOOLEAN"),
            _c("converted_date", "DATE"),
            _c("converted_account_id"),
            _c("converted_contact_id"),
            _c("converted_opportunity_id"),
        ),
        "Leads in the CRM, handed over by marketing.",
        fixture_stem="sf_lead_data",
    ),
    Table(
        "salesforce",
        "contact",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("account_id"),
            _p("email"),
            _p("first_name"),
            _p("last_name"),
            _c("title"),
            _p("phone"),
            _c("owner_id"),
            _c("lead_source"),
            _c("created_date", TS),
        ),
        "Contacts (people at accounts).",
        fixture_stem="sf_contact_data",
    ),
    Table(
        "salesforce",
        "opportunity",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("account_id"),
            _c("name"),
            _c("type", description="New Business, Renewal, Upsell"),
            _c("stage_name"),
            _c("amount", "DECIMAL(18,2)", description="Annual contract value in currency_iso_code."),
            _c("currency_iso_code"),
            _c("probability", "DOUBLE"),
            _c("close_date", "DATE"),
            _c("created_date", TS, True),
            _c("is_closed", "BOOLEAN"),
            _c("is_won", "BOOLEAN"),
            _c("owner_id"),
            _c("lead_source"),
            _c("campaign_id"),
            _c("forecast_category"),
            _c("loss_reason_c"),
            _c("stripe_subscription_id_c", description="For renewals: the subscription whose term is up."),
            _c("term_end_date_c", "DATE", description="For renewals: the term end being renewed."),
        ),
        "Opportunities (new business, renewal, upsell).",
        fixture_stem="sf_opportunity_data",
    ),
    Table(
        "salesforce",
        "opportunity_history",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("opportunity_id"),
            _c("created_date", TS),
            _c("stage_name"),
            _c("amount", "DECIMAL(18,2)"),
            _c("probability", "DOUBLE"),
            _c("close_date", "DATE"),
        ),
        "One row per stage change of an opportunity (Salesforce OpportunityHistory).",
        fixture_stem="sf_opportunity_history_data",
    ),
    Table(
        "salesforce",
        "product_2",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("name"),
            _c("product_code"),
            _c("family"),
            _c("is_active", "BOOLEAN"),
        ),
        "Products in the price book.",
        fixture_stem="sf_product_2_data",
    ),
    Table(
        "salesforce",
        "opportunity_line_item",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("opportunity_id"),
            _c("product_2_id"),
            _c("name"),
            _c("product_code"),
            _c("quantity", "DOUBLE"),
            _c("list_price", "DECIMAL(18,2)"),
            _c("unit_price", "DECIMAL(18,2)"),
            _c("discount", "DOUBLE", description="Discount percentage (0-100)."),
            _c("total_price", "DECIMAL(18,2)"),
            _c("created_date", TS),
        ),
        "Quote lines: products, list and sold prices, discounts.",
        fixture_stem="sf_opportunity_line_item_data",
    ),
    Table(
        "salesforce",
        "task",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("who_id", description="Lead or contact id."),
            _c("what_id", description="Opportunity or account id."),
            _c("account_id"),
            _c("owner_id"),
            _c("subject"),
            _c("type", description="Call, Email, CS Introduction"),
            _c("status"),
            _c("activity_date", TS),
            _c("created_date", TS),
            _c("completed_date_time", TS),
        ),
        "Sales and CS activities (calls, emails, the CS introduction).",
        fixture_stem="sf_task_data",
    ),
    Table(
        "salesforce",
        "event",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("who_id"),
            _c("what_id"),
            _c("account_id"),
            _c("owner_id"),
            _c("subject"),
            _c("type", description="Meeting, Demo, Onboarding Kickoff"),
            _c("start_date_time", TS),
            _c("end_date_time", TS),
            _c("created_date", TS),
        ),
        "Meetings (demos, the onboarding kickoff).",
        fixture_stem="sf_event_data",
    ),
    # ------------------------------------------------------------------ Stripe (billing)
    Table(
        "stripe",
        "customer",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("created", TS),
            _p("email"),
            _c("name"),
            _c("description"),
            _c("currency"),
            _c("delinquent", "BOOLEAN"),
            _c("livemode", "BOOLEAN"),
            _c("metadata", description='JSON, e.g. {"salesforce_account_id": "001..."} (may be missing).'),
        ),
        "Billing customers.",
        fixture_stem="customer_data",
    ),
    Table(
        "stripe",
        "product",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("name"),
            _c("active", "BOOLEAN"),
            _c("created", TS),
            _c("unit_label"),
        ),
        "Billing products.",
        fixture_stem="product_data",
    ),
    Table(
        "stripe",
        "plan",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("product_id"),
            _c("nickname"),
            _c("amount", "BIGINT", description="Unit amount per interval in minor units."),
            _c("currency"),
            _c("interval", description="month or year"),
            _c("interval_count", "BIGINT"),
            _c("active", "BOOLEAN"),
            _c("created", TS),
        ),
        "Plans (recurring prices) per product, currency and interval.",
        fixture_stem="plan_data",
    ),
    Table(
        "stripe",
        "coupon",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("name"),
            _c("percent_off", "DOUBLE"),
            _c("duration", description="forever, once, repeating"),
            _c("created", TS),
        ),
        "Discount coupons.",
        fixture_stem="coupon_data",
    ),
    Table(
        "stripe",
        "subscription",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("customer_id", required=True),
            _c("status"),
            _c("created", TS),
            _c("start_date", TS),
            _c("current_period_start", TS),
            _c("current_period_end", TS),
            _c("cancel_at_period_end", "BOOLEAN"),
            _c("canceled_at", TS),
            _c("ended_at", TS),
            _c("metadata", description='JSON, e.g. {"salesforce_opportunity_id": "006..."}'),
        ),
        "Subscriptions (one per contract; renewals keep the subscription).",
        fixture_stem="subscription_data",
    ),
    Table(
        "stripe",
        "subscription_item",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("subscription_id", required=True),
            _c("plan_id"),
            _c("quantity", "BIGINT", description="Seats purchased."),
            _c("created", TS),
            _c("current_period_start", TS),
            _c("current_period_end", TS),
            _c("metadata"),
        ),
        "Subscription items: plan and seat quantity.",
        fixture_stem="subscription_item_data",
    ),
    Table(
        "stripe",
        "discount",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("coupon_id"),
            _c("customer_id"),
            _c("subscription_id"),
            _c("start", TS),
            _c("end", TS),
            _c("type"),
        ),
        "Coupons applied to subscriptions.",
        fixture_stem="discount_data",
    ),
    Table(
        "stripe",
        "invoice",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            IS_DELETED,
            _c("customer_id", required=True),
            _c("subscription_id"),
            _c("created", TS),
            _c("currency"),
            _c("number"),
            _c("status"),
            _c("billing_reason"),
            _c("subtotal", "BIGINT"),
            _c("total", "BIGINT"),
            _c("amount_due", "BIGINT"),
            _c("amount_paid", "BIGINT"),
            _c("period_start", TS),
            _c("period_end", TS),
            _c("due_date", TS),
        ),
        "Invoices (minor units).",
        fixture_stem="invoice_data",
    ),
    Table(
        "stripe",
        "invoice_line_item",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            _c("invoice_id", required=True),
            SYNCED,
            _c("amount", "BIGINT", True, "Line amount before discounts, minor units."),
            _c("discount_amount", "BIGINT", description="Sum of the line's discount_amounts, minor units."),
            _c("currency"),
            _c("description"),
            _c("period_start", TS),
            _c("period_end", TS),
            _c("plan_id"),
            _c("proration", "BOOLEAN"),
            _c("quantity", "BIGINT"),
            _c("subscription_id"),
            _c("subscription_item_id"),
            _c("type", description="subscription or invoiceitem"),
        ),
        "Invoice lines: what was billed, for which period.",
        fixture_stem="invoice_line_item_data",
    ),
    Table(
        "stripe",
        "usage_record",
        ("id",),
        (
            _c("id", "VARCHAR", True),
            SYNCED,
            _c("subscription_item_id", required=True),
            _c("timestamp", TS, True),
            _c("quantity", "BIGINT", description="Seats in use at the snapshot."),
        ),
        "Monthly snapshots of seats in use per subscription item.",
    ),
)

TABLES_BY_KEY: dict[tuple[str, str], Table] = {(t.system, t.name): t for t in TABLES}


def tables_for(system: str) -> list[Table]:
    return [t for t in TABLES if t.system == system]


def get_table(system: str, name: str) -> Table:
    try:
        return TABLES_BY_KEY[(system, name)]
    except KeyError:
        raise KeyError(f"unknown table {system}.{name}; known: {sorted(TABLES_BY_KEY)}") from None


@dataclass(frozen=True)
class StagingModel:
    """The staging view a raw table becomes, and the view's columns its primary key becomes (in order)."""

    name: str
    key: tuple[str, ...]


# raw table -> its staging view (models/staging/<system>/<name>.sql); the load-completeness check and the
# sources' ``meta`` read this, so no code has to parse model SQL to know it.
STAGING: dict[tuple[str, str], StagingModel] = {
    ("hubspot", "contact"): StagingModel("stg_hubspot__contacts", ("contact_id",)),
    ("hubspot", "company"): StagingModel("stg_hubspot__companies", ("company_id",)),
    ("hubspot", "ad_campaign"): StagingModel("stg_hubspot__ad_campaigns", ("ad_campaign_id",)),
    ("hubspot", "ad_campaign_daily"): StagingModel(
        "stg_hubspot__ad_campaign_daily_metrics", ("ad_campaign_id", "metric_date")
    ),
    ("hubspot", "web_session"): StagingModel("stg_hubspot__web_sessions", ("web_session_id",)),
    ("hubspot", "form"): StagingModel("stg_hubspot__forms", ("form_id",)),
    ("hubspot", "contact_form_submission"): StagingModel(
        "stg_hubspot__form_submissions", ("form_submission_id",)
    ),
    ("hubspot", "email_campaign"): StagingModel("stg_hubspot__email_campaigns", ("email_campaign_id",)),
    ("hubspot", "email_event"): StagingModel("stg_hubspot__email_events", ("email_event_id",)),
    ("hubspot", "email_event_click"): StagingModel("stg_hubspot__email_event_clicks", ("email_event_id",)),
    ("hubspot", "owner"): StagingModel("stg_hubspot__owners", ("owner_id",)),
    ("salesforce", "user_role"): StagingModel("stg_salesforce__user_roles", ("user_role_id",)),
    ("salesforce", "user"): StagingModel("stg_salesforce__users", ("user_id",)),
    ("salesforce", "account"): StagingModel("stg_salesforce__accounts", ("account_id",)),
    ("salesforce", "lead"): StagingModel("stg_salesforce__leads", ("lead_id",)),
    ("salesforce", "contact"): StagingModel("stg_salesforce__contacts", ("contact_id",)),
    ("salesforce", "opportunity"): StagingModel("stg_salesforce__opportunities", ("opportunity_id",)),
    ("salesforce", "opportunity_history"): StagingModel(
        "stg_salesforce__opportunity_stage_changes", ("opportunity_history_id",)
    ),
    ("salesforce", "product_2"): StagingModel("stg_salesforce__products", ("product_id",)),
    ("salesforce", "opportunity_line_item"): StagingModel(
        "stg_salesforce__opportunity_line_items", ("opportunity_line_item_id",)
    ),
    ("salesforce", "task"): StagingModel("stg_salesforce__tasks", ("task_id",)),
    ("salesforce", "event"): StagingModel("stg_salesforce__events", ("event_id",)),
    ("stripe", "customer"): StagingModel("stg_stripe__customers", ("customer_id",)),
    ("stripe", "product"): StagingModel("stg_stripe__products", ("product_id",)),
    ("stripe", "plan"): StagingModel("stg_stripe__plans", ("plan_id",)),
    ("stripe", "coupon"): StagingModel("stg_stripe__coupons", ("coupon_id",)),
    ("stripe", "subscription"): StagingModel("stg_stripe__subscriptions", ("subscription_id",)),
    ("stripe", "subscription_item"): StagingModel(
        "stg_stripe__subscription_items", ("subscription_item_id",)
    ),
    ("stripe", "discount"): StagingModel("stg_stripe__discounts", ("discount_id",)),
    ("stripe", "invoice"): StagingModel("stg_stripe__invoices", ("invoice_id",)),
    ("stripe", "invoice_line_item"): StagingModel(
        "stg_stripe__invoice_line_items", ("invoice_line_item_id",)
    ),
    ("stripe", "usage_record"): StagingModel("stg_stripe__usage_records", ("usage_record_id",)),
}
