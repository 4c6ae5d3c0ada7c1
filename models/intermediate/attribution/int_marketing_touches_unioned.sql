{%- set compared_columns = [
    'touch_type', 'touched_at', 'person_id', 'hubspot_contact_id', 'campaign_type', 'source_campaign_id',
    'touch_channel', 'is_channel_mapped', 'utm_source', 'utm_medium', 'utm_campaign'
] -%}
{{
    config(
        materialized='incremental' if incremental_supported() else 'table',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=["{{ touch_changes_begin() }}"] if incremental_supported() else [],
        post_hook=[
            "{{ delete_key_markers('touch_source') }}",
            "{{ touch_changes_record() }}"
        ] if incremental_supported() else []
    )
}}
{#-
    Every marketing touch, tied to a person where it can be (docs/metrics.md#attribution):
    web sessions (a session whose utm_campaign is a paid ad campaign is an ad click), form fills and
    email clicks. Sessions and form fills carry a HubSpot contact id; email clicks are matched on
    the normalised recipient email. Anonymous sessions are kept with a null person_id.
    A session's channel is its ad campaign's channel, else its UTM medium mapped by
    seeds/channel_mapping.csv, else (no medium) the referrer rule; a medium the seed does not know
    keeps its own (lower-cased) value with is_channel_mapped = false, never "direct".
    Incremental (docs/decisions.md#incremental-models): a run computes every touch from its current
    inputs, as a full build does, compares it with the stored row (by touch source and id) and writes
    only the touches that are new or whose values differ (delete+insert on touch_id): a touch whose
    person changed (identity resolution linked or split its records), a session whose ad campaign
    or channel changed (a late campaign with its UTM), a re-delivered or updated record, a seed
    change. A stored touch with no computed row left (its record withdrawn, an email event no longer
    a click) is deleted (marker rows, macros/incremental_helpers.sql). The write is most of a full
    build's cost; a full refresh gives the same table. The touch_ids a run wrote or withdrew (or
    'full' for a build in full) go to the change log the mart reads (touch_change_log, DuckDB).
-#}

with

web_sessions as (
    select * from {{ ref('stg_hubspot__web_sessions') }}
),

form_submissions as (
    select * from {{ ref('stg_hubspot__form_submissions') }}
),

-- the clicks are the email events that are touches (read twice: only the columns used)
email_clicks as (
    select email_event_id, occurred_at, recipient_email, email_campaign_id
    from {{ ref('stg_hubspot__email_events') }}
    where event_type = 'CLICK'
),

ad_campaigns as (
    select * from {{ ref('stg_hubspot__ad_campaigns') }}
),

utm_channels as (
    select source_value as utm_medium, channel
    from {{ ref('channel_mapping') }}
    where source_field = 'utm_medium'
),

-- only the columns used: DuckDB materialises a CTE read twice with every column it selects
person_records as (
    select source_system, record_type, record_id, person_id, email, is_deleted, created_at
    from {{ ref('int_person_records_matched') }}
),

hubspot_people as (
    select record_id as contact_id, person_id
    from person_records
    where source_system = 'hubspot' and record_type = 'contact'
),

-- one person per normalised email (live records first), for email clicks: ranked only for the
-- emails a click was sent to (the only ones joined; an email's rank does not depend on the others)
email_people as (
    select email, person_id
    from (
        select
            email,
            person_id,
            row_number() over (partition by email order by is_deleted, created_at, record_id) as email_rank
        from person_records
        where email in (select email_clicks.recipient_email from email_clicks)
    ) as ranked
    where email_rank = 1
),

-- utm_campaign -> ad campaign (the earliest campaign with that utm wins)
ad_campaign_utms as (
    select utm_campaign, ad_campaign_id, campaign_channel
    from (
        select
            utm_campaign,
            ad_campaign_id,
            campaign_channel,
            row_number() over (partition by utm_campaign order by start_date, ad_campaign_id) as utm_rank
        from ad_campaigns
        where utm_campaign is not null
    ) as ranked
    where utm_rank = 1
),

session_touches as (
    select
        'web_session' as touch_source,
        web_sessions.web_session_id as source_touch_id,
        case when ad_campaign_utms.ad_campaign_id is not null then 'ad_click' else 'web_session' end as touch_type,
        web_sessions.started_at as touched_at,
        web_sessions.contact_id,
        cast(null as {{ dbt.type_string() }}) as recipient_email,
        case when ad_campaign_utms.ad_campaign_id is not null then 'ad' end as campaign_type,
        cast(ad_campaign_utms.ad_campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        case
            when ad_campaign_utms.campaign_channel is not null then ad_campaign_utms.campaign_channel
            when utm_channels.channel is not null then utm_channels.channel
            when nullif(trim(web_sessions.utm_medium), '') is null then {{ referrer_channel('web_sessions.referrer') }}
            else lower(trim(web_sessions.utm_medium))
        end as touch_channel,
        ad_campaign_utms.campaign_channel is not null
            or utm_channels.channel is not null
            or nullif(trim(web_sessions.utm_medium), '') is null as is_channel_mapped,
        web_sessions.utm_source,
        web_sessions.utm_medium,
        web_sessions.utm_campaign
    from web_sessions
    left join ad_campaign_utms
        on web_sessions.utm_campaign = ad_campaign_utms.utm_campaign
    left join utm_channels
        on lower(trim(web_sessions.utm_medium)) = lower(utm_channels.utm_medium)
),

form_touches as (
    select
        'form_submission' as touch_source,
        form_submission_id as source_touch_id,
        'form_fill' as touch_type,
        submitted_at as touched_at,
        contact_id,
        cast(null as {{ dbt.type_string() }}) as recipient_email,
        cast(null as {{ dbt.type_string() }}) as campaign_type,
        cast(null as {{ dbt.type_string() }}) as source_campaign_id,
        'form' as touch_channel,
        true as is_channel_mapped,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign
    from form_submissions
),

email_touches as (
    select
        'email_event' as touch_source,
        email_event_id as source_touch_id,
        'email_click' as touch_type,
        occurred_at as touched_at,
        cast(null as {{ dbt.type_bigint() }}) as contact_id,
        recipient_email,
        'email' as campaign_type,
        cast(email_campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        'email' as touch_channel,
        true as is_channel_mapped,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign
    from email_clicks
),

unioned as (
    select * from session_touches
    union all
    select * from form_touches
    union all
    select * from email_touches
),

-- every touch with its person, before the surrogate keys
resolved as (
    select
        unioned.touch_source,
        unioned.source_touch_id,
        unioned.touch_type,
        unioned.touched_at,
        coalesce(hubspot_people.person_id, email_people.person_id) as person_id,
        unioned.contact_id as hubspot_contact_id,
        unioned.campaign_type,
        unioned.source_campaign_id,
        unioned.touch_channel,
        unioned.is_channel_mapped,
        unioned.utm_source,
        unioned.utm_medium,
        unioned.utm_campaign
    from unioned
    left join hubspot_people
        on cast(unioned.contact_id as {{ dbt.type_string() }}) = hubspot_people.contact_id
    left join email_people
        on unioned.recipient_email = email_people.email
),

{% if is_incremental() %}
-- the touches that are new or whose values differ from the stored row, and the stored touches with
-- no computed row left (withdrawn)
{{ changed_rows('resolved', ['touch_source', 'source_touch_id'], 'touch_id', compared_columns) }}
{% endif %}

final as (
    select
        {{ generate_surrogate_key(['touch_source', 'source_touch_id']) }} as touch_id,
        touch_source,
        source_touch_id,
        touch_type,
        touched_at,
        person_id,
        hubspot_contact_id,
        case
            when campaign_type is not null
                then {{ generate_surrogate_key(['campaign_type', 'source_campaign_id']) }}
        end as campaign_id,
        campaign_type,
        source_campaign_id,
        touch_channel,
        is_channel_mapped,
        utm_source,
        utm_medium,
        utm_campaign
    from {% if is_incremental() %}changed{% else %}resolved{% endif %}
)

select * from final
{% if is_incremental() %}
union all
{{ affected_key_markers('touch_id', 'withdrawn') }}
{% endif %}
