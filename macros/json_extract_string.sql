{#-
    The text value of a top-level key of a JSON object held in a text column (Stripe `metadata`).
    Engines spell JSON access differently, so this dispatches on the adapter. Text that is not valid
    JSON yields NULL for the attribute (the row itself is kept).
-#}
{% macro json_extract_string(column, key) -%}
    {{ return(adapter.dispatch('json_extract_string', 'revenue_warehouse')(column, key)) }}
{%- endmacro %}

{% macro default__json_extract_string(column, key) -%}
    json_extract_path_text({{ column }}, '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_extract_string(column, key) -%}
    case when json_valid({{ column }}) then json_extract_string({{ column }}, '$.{{ key }}') end
{%- endmacro %}

{% macro postgres__json_extract_string(column, key) -%}
    case when {{ column }} ~ '^\s*\{' then ({{ column }})::json ->> '{{ key }}' end
{%- endmacro %}

{% macro snowflake__json_extract_string(column, key) -%}
    try_parse_json({{ column }}):{{ key }}::varchar
{%- endmacro %}

{% macro bigquery__json_extract_string(column, key) -%}
    json_extract_scalar({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro spark__json_extract_string(column, key) -%}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}
