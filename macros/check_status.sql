{#-
    The status of one record of a handoff check model (models/quality, docs/operations.md#checks):
    `met` when the expectation holds, `incomplete` when it does not and the record is due (its time
    has run out by the as-of date), `pending` when it does not but is not due yet. Pending records are
    not decided and the GX suites do not count them. Arguments are SQL boolean expressions.
-#}
{% macro check_status(is_met, is_due) -%}
    case when {{ is_met }} then 'met' when {{ is_due }} then 'incomplete' else 'pending' end
{%- endmacro %}

{#- The status columns every handoff check model ends with: is_met, is_due, status, is_decided. -#}
{% macro check_status_columns(is_met, is_due) -%}
    coalesce({{ is_met }}, false) as is_met,
    coalesce({{ is_due }}, false) as is_due,
    {{ check_status('coalesce(' ~ is_met ~ ', false)', 'coalesce(' ~ is_due ~ ', false)') }} as status,
    coalesce({{ is_met }}, false) or coalesce({{ is_due }}, false) as is_decided
{%- endmacro %}

{#- A won deal is due for its onboarding checks once it closed var('quality_grace_days') days before the as-of date. -#}
{% macro won_deal_is_due(closed_at) -%}
    cast({{ closed_at }} as date) <= {{ dbt.dateadd('day', -var('quality_grace_days'), as_of_date()) }}
{%- endmacro %}
