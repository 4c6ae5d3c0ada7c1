{#-
    A handoff is within its SLA when it was picked up (hours not null) no later than the SLA allows.
    Arguments are SQL expressions: hours from handed to picked up, and the SLA in hours.
-#}
{% macro sla_evaluation(hours_to_pickup, sla_hours) -%}
    coalesce({{ hours_to_pickup }} <= {{ sla_hours }}, false)
{%- endmacro %}
