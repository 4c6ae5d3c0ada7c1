{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "account_id", "datatype": dbt.type_string()},
    {"name": "name", "datatype": dbt.type_string()},
    {"name": "type", "datatype": dbt.type_string(), "quote": true, "alias": "opportunity_type"},
    {"name": "stage_name", "datatype": dbt.type_string()},
    {"name": "amount", "datatype": "decimal(18, 2)"},
    {"name": "currency_iso_code", "datatype": dbt.type_string()},
    {"name": "probability", "datatype": dbt.type_float()},
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
    {"name": "term_end_date_c", "datatype": "date"},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'opportunity'), columns) }}
    from {{ source('salesforce', 'opportunity') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as opportunity_id,
        account_id,
        name as opportunity_name,
        opportunity_type,
        stage_name,
        amount,
        upper(coalesce(currency_iso_code, '{{ var("reporting_currency", "USD") }}')) as currency,
        probability,
        close_date,
        created_date as created_at,
        cast(created_date as date) as created_date,
        coalesce(is_closed, false) as is_closed,
        coalesce(is_won, false) as is_won,
        owner_id,
        lead_source,
        campaign_id,
        forecast_category,
        loss_reason_c as loss_reason,
        stripe_subscription_id_c as stripe_subscription_id,
        term_end_date_c as term_end_date,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
