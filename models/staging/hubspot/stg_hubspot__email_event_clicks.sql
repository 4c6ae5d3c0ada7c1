{{ config(unique_key='email_event_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'email_event_click'),
            get_hubspot_email_event_click_columns() + provenance_columns() + pass_through_columns('hubspot', 'email_event_click')
        ) }}
    from {{ source('hubspot', 'email_event_click') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as email_event_id,
        url as clicked_url,
        referer,
        browser,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'email_event_click') }}
    from latest
)

select * from final
