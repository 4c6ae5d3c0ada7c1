{{ config(unique_key='email_event_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'email_event'),
            get_hubspot_email_event_columns() + provenance_columns() + pass_through_columns('hubspot', 'email_event'),
            aliases={"type": "event_type"}
        ) }}
    from {{ source('hubspot', 'email_event') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as email_event_id,
        email_campaign_id,
        {{ normalize_email('recipient') }} as recipient_email,
        upper(event_type) as event_type,
        created as occurred_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'email_event') }}
    from latest
)

select * from final
