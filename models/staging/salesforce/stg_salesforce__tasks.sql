{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "is_deleted", "datatype": dbt.type_boolean()},
    {"name": "who_id", "datatype": dbt.type_string()},
    {"name": "what_id", "datatype": dbt.type_string()},
    {"name": "account_id", "datatype": dbt.type_string()},
    {"name": "owner_id", "datatype": dbt.type_string()},
    {"name": "subject", "datatype": dbt.type_string()},
    {"name": "type", "datatype": dbt.type_string(), "quote": true, "alias": "task_type"},
    {"name": "status", "datatype": dbt.type_string()},
    {"name": "activity_date", "datatype": dbt.type_timestamp()},
    {"name": "created_date", "datatype": dbt.type_timestamp()},
    {"name": "completed_date_time", "datatype": dbt.type_timestamp()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('salesforce', 'task'), columns) }}
    from {{ source('salesforce', 'task') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as task_id,
        who_id,
        what_id,
        account_id,
        owner_id,
        subject,
        task_type,
        status as task_status,
        activity_date as activity_at,
        created_date as created_at,
        completed_date_time as completed_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at
    from latest
)

select * from final
