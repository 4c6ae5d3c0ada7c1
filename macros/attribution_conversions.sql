{#- The conversions attribution credits (docs/metrics.md#attribution), as a `conversions` CTE
    (no comma after it): every lead (a person with a creation time) and every opportunity of a known
    person, with the person, the lead's creation time and the conversion time. One definition for
    int_attribution_touches_weighted and the conversions its post-hook saves
    (attribution_changes_consumed, macros/incremental_helpers.sql). -#}
{% macro attribution_conversions(persons, opportunities) -%}
conversions as (
    select
        'lead' as conversion_type,
        person_id as conversion_id,
        person_id,
        created_at as lead_created_at,
        created_at as converted_at
    from {{ persons }}
    where created_at is not null
    union all
    select
        'opportunity' as conversion_type,
        _opportunities.opportunity_id as conversion_id,
        _opportunities.person_id,
        _persons.created_at as lead_created_at,
        _opportunities.created_at as converted_at
    from {{ opportunities }} as _opportunities
    inner join {{ persons }} as _persons
        on _opportunities.person_id = _persons.person_id
)
{%- endmacro %}
