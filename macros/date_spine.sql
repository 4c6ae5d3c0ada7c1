{#-
    A date spine: one row per `datepart` (day, week, month, ...) from `start_date` (inclusive) to
    `end_date` (inclusive), in a column named `date_<datepart>`. `start_date` / `end_date` are SQL
    expressions (a literal like "cast('2024-01-01' as date)", a column of a one-row CTE, or a scalar
    subquery). Numbers come from cross joins of two-row selects (no engine-specific
    generate_series), so the spine is capped at 2^`max_power` periods (default 2^15 = 32768 days,
    about 90 years). Cross-database: dbt.dateadd and dbt.type_int.
    Usage: select * from ({{ date_spine('day', "cast('2024-01-01' as date)", "cast('2024-12-31' as date)") }}) as spine
-#}
{% macro date_spine(datepart, start_date, end_date, max_power=15) -%}
    {{ return(adapter.dispatch('date_spine')(datepart, start_date, end_date, max_power)) }}
{%- endmacro %}

{% macro default__date_spine(datepart, start_date, end_date, max_power=15) -%}
with
{% for i in range(max_power) %}
spine_bit_{{ i }} as (
    select cast(0 as {{ dbt.type_int() }}) as b union all select cast(1 as {{ dbt.type_int() }}) as b
),
{% endfor %}
spine_numbers as (
    select
        {% for i in range(max_power) -%}
        spine_bit_{{ i }}.b * {{ 2 ** i }}{{ ' +' if not loop.last }}
        {% endfor -%}
        as period_number
    from spine_bit_0
    {% for i in range(1, max_power) -%}
    cross join spine_bit_{{ i }}
    {% endfor %}
),
spine_dates as (
    select
        cast({{ dbt.dateadd(datepart, 'period_number', 'cast(' ~ start_date ~ ' as date)') }} as date) as date_{{ datepart }}
    from spine_numbers
)
select date_{{ datepart }}
from spine_dates
where date_{{ datepart }} <= cast({{ end_date }} as date)
{%- endmacro %}
