with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'email_event'), get_hubspot_email_event_columns() + provenance_columns(), aliases={"type": "event_type"}) }}
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
        _fivetran_synced as synced_at
    from latest
)

select * from final
