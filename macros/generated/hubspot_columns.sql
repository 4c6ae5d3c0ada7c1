{#- Generated from revenue_warehouse/contract.py by `warehouse codegen`: do not edit by hand. -#}

{#- raw_hubspot.contact: Marketing contacts: one row per HubSpot contact record. -#}
{% macro get_hubspot_contact_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_bigint()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "_fivetran_deleted", "datatype": dbt.type_boolean()},
        {"name": "property_email", "datatype": dbt.type_string()},
        {"name": "property_firstname", "datatype": dbt.type_string()},
        {"name": "property_lastname", "datatype": dbt.type_string()},
        {"name": "property_company", "datatype": dbt.type_string()},
        {"name": "property_jobtitle", "datatype": dbt.type_string()},
        {"name": "property_phone", "datatype": dbt.type_string()},
        {"name": "property_createdate", "datatype": dbt.type_timestamp()},
        {"name": "property_lifecyclestage", "datatype": dbt.type_string()},
        {"name": "property_hs_lifecyclestage_marketingqualifiedlead_date", "datatype": dbt.type_timestamp()},
        {"name": "property_hs_analytics_source", "datatype": dbt.type_string()},
        {"name": "property_hs_analytics_source_data_1", "datatype": dbt.type_string()},
        {"name": "property_hubspotscore", "datatype": dbt.type_bigint()},
        {"name": "property_associatedcompanyid", "datatype": dbt.type_bigint()},
        {"name": "property_salesforceleadid", "datatype": dbt.type_string()},
        {"name": "property_salesforcecontactid", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.company: Companies known to marketing. -#}
{% macro get_hubspot_company_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_bigint()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "property_name", "datatype": dbt.type_string()},
        {"name": "property_domain", "datatype": dbt.type_string()},
        {"name": "property_industry", "datatype": dbt.type_string()},
        {"name": "property_numberofemployees", "datatype": dbt.type_bigint()},
        {"name": "property_country", "datatype": dbt.type_string()},
        {"name": "property_createdate", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.ad_campaign: Paid campaigns run by marketing (HubSpot ads tool). -#}
{% macro get_hubspot_ad_campaign_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_bigint()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "channel", "datatype": dbt.type_string()},
        {"name": "ad_network", "datatype": dbt.type_string()},
        {"name": "utm_source", "datatype": dbt.type_string()},
        {"name": "utm_medium", "datatype": dbt.type_string()},
        {"name": "utm_campaign", "datatype": dbt.type_string()},
        {"name": "start_date", "datatype": "date"},
        {"name": "end_date", "datatype": "date"},
        {"name": "currency", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.ad_campaign_daily: Daily delivery of each ad campaign: impressions, clicks, spend. -#}
{% macro get_hubspot_ad_campaign_daily_columns() -%}
    {{ return([
        {"name": "ad_campaign_id", "datatype": dbt.type_bigint()},
        {"name": "date", "datatype": "date", "quote": true},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "impressions", "datatype": dbt.type_bigint()},
        {"name": "clicks", "datatype": dbt.type_bigint()},
        {"name": "spend", "datatype": "decimal(18, 2)"}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.web_session: Website sessions with UTM parameters. -#}
{% macro get_hubspot_web_session_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "anonymous_id", "datatype": dbt.type_string()},
        {"name": "contact_id", "datatype": dbt.type_bigint()},
        {"name": "started_at", "datatype": dbt.type_timestamp()},
        {"name": "landing_page", "datatype": dbt.type_string()},
        {"name": "referrer", "datatype": dbt.type_string()},
        {"name": "utm_source", "datatype": dbt.type_string()},
        {"name": "utm_medium", "datatype": dbt.type_string()},
        {"name": "utm_campaign", "datatype": dbt.type_string()},
        {"name": "pageviews", "datatype": dbt.type_bigint()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.form: Forms on the website. -#}
{% macro get_hubspot_form_columns() -%}
    {{ return([
        {"name": "guid", "datatype": dbt.type_string()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "form_type", "datatype": dbt.type_string()},
        {"name": "created_at", "datatype": dbt.type_timestamp()},
        {"name": "updated_at", "datatype": dbt.type_timestamp()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.contact_form_submission: Form fills by contacts. -#}
{% macro get_hubspot_contact_form_submission_columns() -%}
    {{ return([
        {"name": "conversion_id", "datatype": dbt.type_string()},
        {"name": "contact_id", "datatype": dbt.type_bigint()},
        {"name": "form_id", "datatype": dbt.type_string()},
        {"name": "timestamp", "datatype": dbt.type_timestamp(), "quote": true},
        {"name": "page_url", "datatype": dbt.type_string()},
        {"name": "title", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.email_campaign: Marketing email campaigns. -#}
{% macro get_hubspot_email_campaign_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_bigint()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "subject", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true},
        {"name": "app_name", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.email_event: Email events (sent, delivered, opened, clicked). -#}
{% macro get_hubspot_email_event_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "created", "datatype": dbt.type_timestamp()},
        {"name": "email_campaign_id", "datatype": dbt.type_bigint()},
        {"name": "recipient", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.email_event_click: Click details for CLICK email events (same id as email_event). -#}
{% macro get_hubspot_email_event_click_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "url", "datatype": dbt.type_string()},
        {"name": "referer", "datatype": dbt.type_string()},
        {"name": "browser", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_hubspot.owner: HubSpot users (marketing owners). -#}
{% macro get_hubspot_owner_columns() -%}
    {{ return([
        {"name": "owner_id", "datatype": dbt.type_bigint()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "email", "datatype": dbt.type_string()},
        {"name": "first_name", "datatype": dbt.type_string()},
        {"name": "last_name", "datatype": dbt.type_string()},
        {"name": "created_at", "datatype": dbt.type_timestamp()},
        {"name": "updated_at", "datatype": dbt.type_timestamp()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true}
    ]) }}
{%- endmacro %}
