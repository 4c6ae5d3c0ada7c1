{#-
    Numbers that behave alike on every engine (docs/scaling.md):
    - type_double(): an 8-byte float. `dbt.type_float()` is `float`, which DuckDB and Spark read as a
      4-byte float; PostgreSQL has no `double`, Spark no `float8`.
    - round_half(expression, digits): round half away from zero to `digits` decimals. PostgreSQL
      rounds only numerics to a number of digits, so the value is made a numeric there first and
      an 8-byte float again after (the type DuckDB gives for the floats rounded in the models).
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    float8
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro round_half(expression, digits) -%}
    {{ return(adapter.dispatch('round_half')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_half(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_half(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as float8)
{%- endmacro %}
