{{
    config(
        materialized='incremental' if attribution_incremental_supported() else 'table',
        unique_key=['conversion_type', 'conversion_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=[
            "{{ delete_key_markers('attribution_id') }}",
            "{{ attribution_changes_consumed(ref('int_marketing_touches_unioned'), ref('int_persons_resolved'), ref('int_opportunities_enriched')) }}"
        ] if attribution_incremental_supported() else []
    )
}}
{#-
    Multi-touch attribution (docs/metrics.md#attribution): for every lead (person) and every
    opportunity, the touches of its person up to the conversion, each with four weights that sum
    to 1 per conversion:
      - first_touch: 1 for the earliest touch;
      - last_touch: 1 for the latest touch at or before the conversion;
      - linear: 1 / number of touches;
      - w_shaped: 30% each to the key touches (first touch; lead creation touch = last touch at or
        before the lead was created; for opportunities also the opportunity creation touch = last
        touch at or before the opportunity was created), 10% shared by the other touches, then
        normalised so the weights sum to 1 (roles held by the same touch add up).
    Ties on touched_at are broken by touch_id. Conversions without any touch have no rows.
    Incremental on DuckDB (docs/decisions.md#incremental-models): a run recomputes only the
    conversions whose rows may have changed, and dbt's delete+insert on (conversion_type,
    conversion_id) replaces their stored rows (a marker row per recomputed conversion removes the rows
    of one left without touches): every conversion of a person that a touch logged by
    int_marketing_touches_unioned since this model's last run belonged to before (its stored rows) or
    belongs to now, and every conversion that is new, gone, or whose person, lead creation time or
    conversion time differs from the conversions saved by the last run (a person merge, a changed
    created_at). When that cannot be told (no log or saved conversions yet, a build in full of the
    touches, a change of this file) every conversion is recomputed. Other adapters build a table.
-#}

with

touches as (
    select * from {{ ref('int_marketing_touches_unioned') }}
    where person_id is not null
),

persons as (
    select * from {{ ref('int_persons_resolved') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }}
),

{{ attribution_conversions('persons', 'opportunities') }},

{% if is_incremental() %}
{% if attribution_changes_mode(ref('int_marketing_touches_unioned')) == 'log' %}
-- the touches int_marketing_touches_unioned wrote or withdrew since this model's last run
_logged as (
    select distinct touch_id
    from {{ touch_change_log(ref('int_marketing_touches_unioned'), 'attribution') }}
    where touch_id is not null
),

-- their persons before (the stored rows) and now
_changed_persons as (
    select person_id from {{ this }}
    where touch_id in (select touch_id from _logged)
    union
    select person_id from touches
    where touch_id in (select touch_id from _logged)
),

_saved as (
    select * from {{ attribution_conversions_saved(this) }}
),

-- the conversions of those persons, and the conversions new, gone or changed since the last run
affected as (
    select
        coalesce(conversions.conversion_type, _saved.conversion_type) as conversion_type,
        coalesce(conversions.conversion_id, _saved.conversion_id) as conversion_id
    from conversions
    full outer join _saved
        on
            conversions.conversion_type = _saved.conversion_type
            and conversions.conversion_id = _saved.conversion_id
    where
        conversions.conversion_id is null
        or _saved.conversion_id is null
        or conversions.person_id is distinct from _saved.person_id
        or conversions.lead_created_at is distinct from _saved.lead_created_at
        or conversions.converted_at is distinct from _saved.converted_at
    union
    select
        conversion_type,
        conversion_id
    from conversions
    where person_id in (select person_id from _changed_persons)
),
{% else %}
-- the log cannot say: every conversion, current or stored
affected as (
    select
        conversion_type,
        conversion_id
    from conversions
    union
    select
        conversion_type,
        conversion_id
    from {{ this }}
),
{% endif %}

scoped_conversions as (
    select conversions.*
    from conversions
    inner join affected
        on
            conversions.conversion_type = affected.conversion_type
            and conversions.conversion_id = affected.conversion_id
),

{% endif %}
journey as (
    select
        conversions.conversion_type,
        conversions.conversion_id,
        conversions.person_id,
        touches.touch_id,
        touches.touched_at,
        touches.campaign_id,
        touches.touch_channel,
        touches.touch_type,
        row_number() over (
            partition by conversions.conversion_type, conversions.conversion_id
            order by touches.touched_at, touches.touch_id
        ) as touch_number,
        count(*) over (
            partition by conversions.conversion_type, conversions.conversion_id
        ) as touch_count,
        -- the touches at or before the lead's creation come first in touch order, so the last of
        -- them, the lead creation touch, has their count as its touch_number (0: no such touch)
        sum(case when touches.touched_at <= conversions.lead_created_at then 1 else 0 end) over (
            partition by conversions.conversion_type, conversions.conversion_id
        ) as lead_touch_number
    from {% if is_incremental() %}scoped_conversions as {% endif %}conversions
    inner join touches
        on conversions.person_id = touches.person_id
        and touches.touched_at <= conversions.converted_at
),

-- key roles: first touch, lead creation touch, for opportunities the last touch; the other
-- (middle) touches are counted from the roles' touch numbers, without another window
roles as (
    select
        journey.*,
        case when touch_number = 1 then 1 else 0 end as is_first_touch,
        case when touch_number = touch_count then 1 else 0 end as is_last_touch,
        case when touch_number = lead_touch_number then 1 else 0 end as is_lead_creation_touch,
        touch_count
        - 1
        - case when lead_touch_number > 1 then 1 else 0 end
        - case
            when conversion_type = 'opportunity' and touch_count > 1 and touch_count <> lead_touch_number then 1
            else 0
        end as middle_touch_count
    from journey
),

raw_weights as (
    select
        roles.*,
        case when conversion_type = 'opportunity' then is_last_touch else 0 end as is_opportunity_creation_touch,
        0.3 * is_first_touch
        + 0.3 * is_lead_creation_touch
        + 0.3 * (case when conversion_type = 'opportunity' then is_last_touch else 0 end) as key_weight
    from roles
),

unnormalised as (
    select
        raw_weights.*,
        key_weight + case when key_weight = 0 then 0.1 / middle_touch_count else 0 end as w_raw
    from raw_weights
),

final as (
    select
        {{ generate_surrogate_key(['conversion_type', 'conversion_id', 'touch_id']) }} as attribution_id,
        conversion_type,
        conversion_id,
        person_id,
        touch_id,
        touched_at,
        touch_type,
        touch_channel,
        campaign_id,
        touch_number,
        touch_count,
        is_first_touch = 1 as is_first_touch,
        is_last_touch = 1 as is_last_touch,
        is_lead_creation_touch = 1 as is_lead_creation_touch,
        is_opportunity_creation_touch = 1 as is_opportunity_creation_touch,
        cast(is_first_touch as {{ type_double() }}) as first_touch_weight,
        cast(is_last_touch as {{ type_double() }}) as last_touch_weight,
        cast(1 as {{ type_double() }}) / touch_count as linear_weight,
        cast(w_raw as {{ type_double() }})
            / sum(cast(w_raw as {{ type_double() }})) over (partition by conversion_type, conversion_id) as w_shaped_weight
    from unnormalised
)

select * from final
{% if is_incremental() %}
union all
{{ affected_key_markers(['conversion_type', 'conversion_id'], 'affected') }}
{% endif %}
