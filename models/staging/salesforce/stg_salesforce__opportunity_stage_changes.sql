{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "opportunity_id", "datatype": dbt.type_string()},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
    {"name": "stage_name", "datatype": dbt.type_string()},
    {"name": "amount", "datatype": "decimal(18, 2)"},
    {"name": "probability", "datatype": dbt.type_float()},
    {"name": "close_date", "datatype": "date"},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'opportunity_history'), columns) }}
    from {{ source('salesforce', 'opportunity_history') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as opportunity_history_id,
        opportunity_id,
        stage_name,
        created_date as changed_at,
        amount,
        probability,
        close_date,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
