{#- Generated from revenue_warehouse/contract.py by `warehouse codegen`: do not edit by hand. -#}

{#- raw_salesforce.user_role: Roles (SDR, AE, CSM and their managers). -#}
{% macro get_salesforce_user_role_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "_fivetran_deleted", "datatype": dbt.type_boolean()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "developer_name", "datatype": dbt.type_string()},
        {"name": "parent_role_id", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.user: CRM users: sales reps, managers, customer success managers. -#}
{% macro get_salesforce_user_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "_fivetran_deleted", "datatype": dbt.type_boolean()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "first_name", "datatype": dbt.type_string()},
        {"name": "last_name", "datatype": dbt.type_string()},
        {"name": "email", "datatype": dbt.type_string()},
        {"name": "title", "datatype": dbt.type_string()},
        {"name": "department", "datatype": dbt.type_string()},
        {"name": "user_role_id", "datatype": dbt.type_string()},
        {"name": "manager_id", "datatype": dbt.type_string()},
        {"name": "is_active", "datatype": dbt.type_boolean()},
        {"name": "created_date", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.account: Accounts (companies) in the CRM. -#}
{% macro get_salesforce_account_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "website", "datatype": dbt.type_string()},
        {"name": "industry", "datatype": dbt.type_string()},
        {"name": "number_of_employees", "datatype": dbt.type_bigint()},
        {"name": "billing_country", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true},
        {"name": "owner_id", "datatype": dbt.type_string()},
        {"name": "customer_success_manager_c", "datatype": dbt.type_string()},
        {"name": "segment_c", "datatype": dbt.type_string()},
        {"name": "created_date", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.lead: Leads in the CRM, handed over by marketing. -#}
{% macro get_salesforce_lead_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "created_date", "datatype": dbt.type_timestamp()},
        {"name": "email", "datatype": dbt.type_string()},
        {"name": "first_name", "datatype": dbt.type_string()},
        {"name": "last_name", "datatype": dbt.type_string()},
        {"name": "company", "datatype": dbt.type_string()},
        {"name": "title", "datatype": dbt.type_string()},
        {"name": "phone", "datatype": dbt.type_string()},
        {"name": "status", "datatype": dbt.type_string()},
        {"name": "lead_source", "datatype": dbt.type_string()},
        {"name": "owner_id", "datatype": dbt.type_string()},
        {"name": "accepted_date_c", "datatype": dbt.type_timestamp()},
        {"name": "qualified_date_c", "datatype": dbt.type_timestamp()},
        {"name": "disqualified_date_c", "datatype": dbt.type_timestamp()},
        {"name": "unqualified_reason_c", "datatype": dbt.type_string()},
        {"name": "is_converted", "datatype": dbt.type_boolean()},
        {"name": "converted_date", "datatype": "date"},
        {"name": "converted_account_id", "datatype": dbt.type_string()},
        {"name": "converted_contact_id", "datatype": dbt.type_string()},
        {"name": "converted_opportunity_id", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.contact: Contacts (people at accounts). -#}
{% macro get_salesforce_contact_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "account_id", "datatype": dbt.type_string()},
        {"name": "email", "datatype": dbt.type_string()},
        {"name": "first_name", "datatype": dbt.type_string()},
        {"name": "last_name", "datatype": dbt.type_string()},
        {"name": "title", "datatype": dbt.type_string()},
        {"name": "phone", "datatype": dbt.type_string()},
        {"name": "owner_id", "datatype": dbt.type_string()},
        {"name": "lead_source", "datatype": dbt.type_string()},
        {"name": "created_date", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.opportunity: Opportunities (new business, renewal, upsell). -#}
{% macro get_salesforce_opportunity_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "account_id", "datatype": dbt.type_string()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true},
        {"name": "stage_name", "datatype": dbt.type_string()},
        {"name": "amount", "datatype": "decimal(18, 2)"},
        {"name": "currency_iso_code", "datatype": dbt.type_string()},
        {"name": "probability", "datatype": type_double()},
        {"name": "close_date", "datatype": "date"},
        {"name": "created_date", "datatype": dbt.type_timestamp()},
        {"name": "is_closed", "datatype": dbt.type_boolean()},
        {"name": "is_won", "datatype": dbt.type_boolean()},
        {"name": "owner_id", "datatype": dbt.type_string()},
        {"name": "lead_source", "datatype": dbt.type_string()},
        {"name": "campaign_id", "datatype": dbt.type_string()},
        {"name": "forecast_category", "datatype": dbt.type_string()},
        {"name": "loss_reason_c", "datatype": dbt.type_string()},
        {"name": "stripe_subscription_id_c", "datatype": dbt.type_string()},
        {"name": "term_end_date_c", "datatype": "date"}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.opportunity_history: One row per stage change of an opportunity (Salesforce OpportunityHistory). -#}
{% macro get_salesforce_opportunity_history_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "opportunity_id", "datatype": dbt.type_string()},
        {"name": "created_date", "datatype": dbt.type_timestamp()},
        {"name": "stage_name", "datatype": dbt.type_string()},
        {"name": "amount", "datatype": "decimal(18, 2)"},
        {"name": "probability", "datatype": type_double()},
        {"name": "close_date", "datatype": "date"}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.product_2: Products in the price book. -#}
{% macro get_salesforce_product_2_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "product_code", "datatype": dbt.type_string()},
        {"name": "family", "datatype": dbt.type_string()},
        {"name": "is_active", "datatype": dbt.type_boolean()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.opportunity_line_item: Quote lines: products, list and sold prices, discounts. -#}
{% macro get_salesforce_opportunity_line_item_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "opportunity_id", "datatype": dbt.type_string()},
        {"name": "product_2_id", "datatype": dbt.type_string()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "product_code", "datatype": dbt.type_string()},
        {"name": "quantity", "datatype": type_double()},
        {"name": "list_price", "datatype": "decimal(18, 2)"},
        {"name": "unit_price", "datatype": "decimal(18, 2)"},
        {"name": "discount", "datatype": type_double()},
        {"name": "total_price", "datatype": "decimal(18, 2)"},
        {"name": "created_date", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.task: Sales and CS activities (calls, emails, the CS introduction). -#}
{% macro get_salesforce_task_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "who_id", "datatype": dbt.type_string()},
        {"name": "what_id", "datatype": dbt.type_string()},
        {"name": "account_id", "datatype": dbt.type_string()},
        {"name": "owner_id", "datatype": dbt.type_string()},
        {"name": "subject", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true},
        {"name": "status", "datatype": dbt.type_string()},
        {"name": "activity_date", "datatype": dbt.type_timestamp()},
        {"name": "created_date", "datatype": dbt.type_timestamp()},
        {"name": "completed_date_time", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_salesforce.event: Meetings (demos, the onboarding kickoff). -#}
{% macro get_salesforce_event_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "who_id", "datatype": dbt.type_string()},
        {"name": "what_id", "datatype": dbt.type_string()},
        {"name": "account_id", "datatype": dbt.type_string()},
        {"name": "owner_id", "datatype": dbt.type_string()},
        {"name": "subject", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true},
        {"name": "start_date_time", "datatype": dbt.type_timestamp()},
        {"name": "end_date_time", "datatype": dbt.type_timestamp()},
        {"name": "created_date", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}
