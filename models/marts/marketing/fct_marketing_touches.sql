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
        post_hook=[
            "{{ delete_key_markers('touch_source') }}",
            "{{ touch_changes_consumed(ref('int_marketing_touches_unioned')) }}"
        ] if incremental_supported() else []
    )
}}
{#-
    One row per marketing touch (docs/metrics.md#attribution).
    Incremental (docs/decisions.md#incremental-models): a run rebuilds the touches the intermediate
    model wrote or withdrew since the mart's last run, read from its change log (touch_change_log,
    macros/incremental_helpers.sql): their current rows are inserted, and a marker row per logged
    touch makes dbt's delete+insert remove the stored row first, or for good when the touch was
    withdrawn. When the log cannot say (the first run after an upgrade, a full build of the
    intermediate model, a change of this file, an adapter without the log) the run computes every row,
    compares it with the stored row and writes only the new rows and those whose values differ; a
    stored touch the intermediate model no longer has is deleted. A full refresh gives the same table.
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

{% if is_incremental() and touch_changes_mode(ref('int_marketing_touches_unioned')) == 'log' %}
-- the touches the intermediate model wrote or withdrew since the last run: their current rows, and
-- a marker for each (withdrawn)
_logged as (
    select distinct touch_id
    from {{ touch_change_log(ref('int_marketing_touches_unioned')) }}
    where touch_id is not null
),

changed as (
    select * from computed
    where touch_id in (select touch_id from _logged)
),

withdrawn as (
    select touch_id from _logged
),
{% elif is_incremental() %}
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
