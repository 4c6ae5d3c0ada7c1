{{ config(unique_key='task_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'task'),
            get_salesforce_task_columns() + provenance_columns() + pass_through_columns('salesforce', 'task'),
            aliases={"type": "task_type"}
        ) }}
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
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'task') }}
    from latest
)

select * from final
