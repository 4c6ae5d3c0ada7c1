{#- Generic test: rows whose `column_name` names a `to`.`field` that was never delivered (an orphan,
    e.g. an opportunity of an account the CRM extract does not hold). Fails, listing every orphan,
    when they are more than `var('orphan_tolerance_share')` of the rows that reference something and
    more than `var('orphan_tolerance_rows')` (so a handful of orphans among a few hundred rows, which a
    small company or a short history shows by chance, is not mistaken for a broken feed); within the
    tolerance it passes (the simulator's truth counts them). -#}
{% test orphans_within_tolerance(model, column_name, to, field) %}
with referencing as (
    select {{ column_name }} as reference
    from {{ model }}
    where {{ column_name }} is not null
),

orphans as (
    select reference
    from referencing
    where reference not in (select {{ field }} from {{ to }} where {{ field }} is not null)
)

select orphans.reference
from orphans
where (select count(*) from orphans)
    > {{ var('orphan_tolerance_share', 0.01) }} * (select count(*) from referencing)
    and (select count(*) from orphans) > {{ var('orphan_tolerance_rows', 5) }}
{% endtest %}
