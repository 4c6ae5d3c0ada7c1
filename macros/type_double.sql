{#-
    An 8-byte floating point type for ratios (dbt.type_float() is a 4-byte REAL on DuckDB).
    Cross-database: `double precision` (DuckDB, PostgreSQL), `double` on Spark.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}
