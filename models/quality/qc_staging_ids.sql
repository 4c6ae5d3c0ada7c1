{#-
    Data-integrity input of load_completeness / raw_ids_reach_staging: one row per staging model that
    reads one raw table, with the number of distinct ids it holds (its column tested `unique`). The
    suite compares it with the distinct primary keys of the raw table (revenue_warehouse/contract.py),
    so no GX query reads staging. Built from dbt's graph (models, their source and `unique` test),
    once it is listed below (dbt needs every ref known when it parses; tests/test_quality_models.py
    fails when a staging model is missing from this list).
-#}
-- depends_on: {{ ref('stg_hubspot__ad_campaign_daily_metrics') }}
-- depends_on: {{ ref('stg_hubspot__ad_campaigns') }}
-- depends_on: {{ ref('stg_hubspot__companies') }}
-- depends_on: {{ ref('stg_hubspot__contacts') }}
-- depends_on: {{ ref('stg_hubspot__email_campaigns') }}
-- depends_on: {{ ref('stg_hubspot__email_event_clicks') }}
-- depends_on: {{ ref('stg_hubspot__email_events') }}
-- depends_on: {{ ref('stg_hubspot__form_submissions') }}
-- depends_on: {{ ref('stg_hubspot__forms') }}
-- depends_on: {{ ref('stg_hubspot__owners') }}
-- depends_on: {{ ref('stg_hubspot__web_sessions') }}
-- depends_on: {{ ref('stg_salesforce__accounts') }}
-- depends_on: {{ ref('stg_salesforce__contacts') }}
-- depends_on: {{ ref('stg_salesforce__events') }}
-- depends_on: {{ ref('stg_salesforce__leads') }}
-- depends_on: {{ ref('stg_salesforce__opportunities') }}
-- depends_on: {{ ref('stg_salesforce__opportunity_line_items') }}
-- depends_on: {{ ref('stg_salesforce__opportunity_stage_changes') }}
-- depends_on: {{ ref('stg_salesforce__products') }}
-- depends_on: {{ ref('stg_salesforce__tasks') }}
-- depends_on: {{ ref('stg_salesforce__user_roles') }}
-- depends_on: {{ ref('stg_salesforce__users') }}
-- depends_on: {{ ref('stg_stripe__coupons') }}
-- depends_on: {{ ref('stg_stripe__customers') }}
-- depends_on: {{ ref('stg_stripe__discounts') }}
-- depends_on: {{ ref('stg_stripe__invoice_line_items') }}
-- depends_on: {{ ref('stg_stripe__invoices') }}
-- depends_on: {{ ref('stg_stripe__plans') }}
-- depends_on: {{ ref('stg_stripe__products') }}
-- depends_on: {{ ref('stg_stripe__subscription_items') }}
-- depends_on: {{ ref('stg_stripe__subscriptions') }}
-- depends_on: {{ ref('stg_stripe__usage_records') }}
{%- set rows = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name and 'staging' in node.fqn[1:-1] -%}
        {%- set sources = [] -%}
        {%- for dependency in node.depends_on.nodes if dependency.startswith('source.') -%}
            {%- do sources.append(dependency) -%}
        {%- endfor -%}
        {%- set keys = [] -%}
        {%- for test in graph.nodes.values()
            if test.resource_type == 'test' and test.attached_node == node.unique_id
            and (test.test_metadata or {}).get('name') == 'unique' and test.column_name -%}
            {%- do keys.append(test.column_name) -%}
        {%- endfor -%}
        {%- if sources | length == 1 and keys -%}
            {%- set source = graph.sources[sources[0]] -%}
            {%- do rows.append((node.name, source.schema, source.identifier, keys[0])) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- for model, source_schema, source_table, key in rows | sort %}
select
    cast('{{ model }}' as {{ dbt.type_string() }}) as staging_model,
    cast('{{ source_schema }}' as {{ dbt.type_string() }}) as source_schema,
    cast('{{ source_table }}' as {{ dbt.type_string() }}) as source_table,
    cast('{{ key }}' as {{ dbt.type_string() }}) as key_column,
    cast(count(distinct {{ key }}) as {{ dbt.type_bigint() }}) as staging_ids
from {{ ref(model) }}
{{ 'union all' if not loop.last }}
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as staging_model,
    cast(null as {{ dbt.type_string() }}) as source_schema,
    cast(null as {{ dbt.type_string() }}) as source_table,
    cast(null as {{ dbt.type_string() }}) as key_column,
    cast(null as {{ dbt.type_bigint() }}) as staging_ids
where 1 = 0
{%- endfor %}
