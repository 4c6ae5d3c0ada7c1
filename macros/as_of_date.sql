{#-
    The data's as-of date ("today" for every current / pending / upcoming rule): the last extract date
    loaded (revenue_warehouse/as_of.py). `revenue_warehouse.dbt.run_dbt` and the Dagster dbt step pass
    it in the environment variable WAREHOUSE_AS_OF_DATE, read here only while executing: never while
    parsing, so dbt does not record it in the parsed project and a new date does not make dbt parse the
    whole project again (a changed --vars would; docs/decisions.md#dbt-partial-parsing). By hand, the
    var `as_of_date` (--vars) works too and wins. A dbt command that compiles a model using it without
    either fails with this message rather than guessing from the data or the clock.
-#}
{% macro as_of_date() -%}
    {{ return(adapter.dispatch('as_of_date')()) }}
{%- endmacro %}

{% macro default__as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if execute and not value -%}
        {%- set value = env_var('WAREHOUSE_AS_OF_DATE', '') -%}
    {%- endif -%}
    {%- if value and modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value | string) -%}
        cast('{{ value }}' as date)
    {%- elif execute -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date " ~ ("is not set" if not value else "'" ~ value ~ "' is not a YYYY-MM-DD date")
            ~ ": pass --vars '{as_of_date: YYYY-MM-DD}' (or set WAREHOUSE_AS_OF_DATE) with the last extract "
            ~ "date loaded (warehouse run and the Dagster refresh job pass it for you)"
        ) }}
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{%- endmacro %}
