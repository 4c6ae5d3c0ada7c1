{{ config(unique_key='web_session_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'web_session'),
            get_hubspot_web_session_columns() + provenance_columns() + pass_through_columns('hubspot', 'web_session')
        ) }}
    from {{ source('hubspot', 'web_session') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as web_session_id,
        anonymous_id,
        contact_id,
        started_at,
        landing_page,
        referrer,
        lower(trim(utm_source)) as utm_source,
        lower(trim(utm_medium)) as utm_medium,
        lower(trim(utm_campaign)) as utm_campaign,
        pageviews,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'web_session') }}
    from latest
)

select * from final
