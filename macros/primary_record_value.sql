{#-
    The value of a group's primary record in a grouped query: the record ranked first by
    `order_by` among the group's rows that meet `condition`.
    Portable default: the query ranks the rows itself (a `row_number()` column named `rank_column`,
    partitioned by the group and by what `condition` tests, ordered by `order_by`) and this takes
    the value of the row ranked 1: max(case when rank = 1 and condition then value end).
    DuckDB: an ordered aggregate, first(value order by ...) filter (where condition), so the group
    is not ranked by a window first (DuckDB drops the unused rank column). Same value when
    `order_by` orders the rows of a rank partition totally (ends with a unique column).
    Used by int_persons_resolved.
-#}
{% macro primary_record_value(value, condition, order_by, rank_column='record_rank') -%}
    {{ return(adapter.dispatch('primary_record_value')(value, condition, order_by, rank_column)) }}
{%- endmacro %}

{% macro default__primary_record_value(value, condition, order_by, rank_column) -%}
    max(case when {{ rank_column }} = 1 and {{ condition }} then {{ value }} end)
{%- endmacro %}

{% macro duckdb__primary_record_value(value, condition, order_by, rank_column) -%}
    first({{ value }} order by {{ order_by }}) filter (where {{ condition }})
{%- endmacro %}
