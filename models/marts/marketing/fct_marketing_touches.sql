{%- set columns = [
    'touch_id', 'touch_type', 'touch_source', 'source_touch_id', 'touched_at', 'touch_date', 'person_id',
    'hubspot_contact_id', 'campaign_id', 'campaign_type', 'touch_channel', 'is_channel_mapped',
    'utm_source', 'utm_medium', 'utm_campaign', 'is_identified'
] -%}
{#- compared with the stored row: the columns that are not a function of the key or of another
    compared column (touch_id is the key of touch_source and source_touch_id, touch_date is
    touched_at's date, is_identified is person_id not null); reading fewer stored columns narrows the
    join (scale 100: 5.5 CPU s against 12 with all fifteen) -#}
{%- set compared_columns = [
    'touch_type', 'touched_at', 'person_id', 'hubspot_contact_id', 'campaign_id', 'campaign_type',
    'touch_channel', 'is_channel_mapped', 'utm_source', 'utm_medium', 'utm_campaign'
] -%}
{{
    config(
        materialized='incremental' if incremental_supported() else 'table',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=["{{ delete_key_markers('touch_source') }}"] if incremental_supported() else []
    )
}}
{#-
    One row per marketing touch (docs/metrics.md#attribution).
    Incremental (docs/decisions.md#incremental-models): a run computes every row from
    int_marketing_touches_unioned, compares it with the stored row and writes only the new rows and
    those whose values differ (delete+insert on touch_id); a stored touch the intermediate model no
    longer has is deleted (marker rows, macros/incremental_helpers.sql). A full refresh gives the
    same table.
-#}

with

touches as (
    select * from {{ ref('int_marketing_touches_unioned') }}
),

computed as (
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
),

{% if is_incremental() %}
-- the touches that are new or whose values differ from the stored row, and the stored touches the
-- intermediate model no longer has (withdrawn)
{{ changed_rows('computed', ['touch_id'], 'touch_id', compared_columns, columns) }}
{% endif %}

final as (
    select * from {% if is_incremental() %}changed{% else %}computed{% endif %}
)

select * from final
{% if is_incremental() %}
union all
{{ affected_key_markers('touch_id', 'withdrawn') }}
{% endif %}
