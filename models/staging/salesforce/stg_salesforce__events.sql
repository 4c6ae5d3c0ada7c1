{{ config(unique_key='event_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'event'),
            get_salesforce_event_columns() + provenance_columns() + pass_through_columns('salesforce', 'event'),
            aliases={"type": "event_type"}
        ) }}
    from {{ source('salesforce', 'event') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as event_id,
        who_id,
        what_id,
        account_id,
        owner_id,
        subject,
        event_type,
        start_date_time as started_at,
        end_date_time as ended_at,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'event') }}
    from latest
)

select * from final
