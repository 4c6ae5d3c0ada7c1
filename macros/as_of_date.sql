{#-
    The data's as-of date ("today" for every current / pending / upcoming rule): the var `as_of_date`,
    which is the last extract date loaded (revenue_warehouse/as_of.py). `revenue_warehouse.dbt.run_dbt`
    and the Dagster dbt assets always pass it; a dbt command that compiles a model using it without
    the var fails with this message rather than guessing from the data or the clock.
-#}
{% macro as_of_date() -%}
    {{ return(adapter.dispatch('as_of_date')()) }}
{%- endmacro %}

{% macro default__as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value and modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value | string) -%}
        cast('{{ value }}' as date)
    {%- elif execute -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date " ~ ("is not set" if not value else "'" ~ value ~ "' is not a YYYY-MM-DD date")
            ~ ": pass --vars '{as_of_date: YYYY-MM-DD}' with the last extract date loaded "
            ~ "(warehouse run and the Dagster refresh job pass it for you)"
        ) }}
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{%- endmacro %}
