with

touches as (
    select * from {{ ref('int_marketing_touches_unioned') }}
),

final as (
    select
        touch_id,
        touch_type,
        touch_source,
        source_touch_id,
        touched_at,
        cast(touched_at as date) as touch_date,
        person_id,
        hubspot_contact_id,
        campaign_id,
        campaign_type,
        touch_channel,
        is_channel_mapped,
        utm_source,
        utm_medium,
        utm_campaign,
        person_id is not null as is_identified
    from touches
)

select * from final
