{#-
    Spark spells some types differently: contracts (models/**/_*__models.yml `data_type`) name types
    the way DuckDB and PostgreSQL both read them (varchar, float8, ...), and dbt checks an enforced
    contract by casting nulls to those names. On Spark the names are translated here (dbt's `cast`
    macro dispatches to the root project first).
-#}
{% macro spark_type_name(type) -%}
    {%- set names = {"varchar": "string", "text": "string", "float8": "double", "double precision": "double"} -%}
    {{- names.get(type | trim | lower, type) -}}
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type_name(type) }})
{%- endmacro %}
