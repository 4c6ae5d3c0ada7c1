{#-
    The handoff counts fct_handoff_summary (per week) and fct_handoff_sla_monthly (per month) share,
    over fct_handoffs rows grouped by the caller (docs/metrics.md#handoffs): handed, picked up,
    within SLA, and by status (pending, met, breached, incomplete, decided).
-#}
{% macro handoff_status_counts() -%}
    {%- set counts = [
        ('handed_count', '1 = 1'),
        ('picked_up_count', 'picked_up_at is not null'),
        ('within_sla_count', 'is_within_sla'),
        ('pending_count', "status = 'pending'"),
        ('met_count', "status = 'met'"),
        ('breached_count', "status = 'breached'"),
        ('incomplete_count', "status = 'incomplete'"),
        ('decided_count', 'is_decided'),
    ] -%}
    {%- for name, condition in counts %}
        cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }}) as {{ name }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
