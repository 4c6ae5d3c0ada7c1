{#-
    The data's as-of date ("today" for every current / pending / upcoming rule): the last extract date
    loaded (revenue_warehouse/as_of.py). Read only while executing, never while parsing, and never
    from --vars by the runners: a changed var makes dbt parse the whole project again, so the date
    reaches dbt another way (docs/decisions.md#dbt-partial-parsing):
    - the var `as_of_date` (by hand: --vars '{as_of_date: YYYY-MM-DD}') wins;
    - else the environment variable WAREHOUSE_DBT_AS_OF_DATE (`revenue_warehouse.dbt.run_dbt` sets it
      for its dbt process);
    - else, when the var `as_of_from_log` is true (the runners pass it, the same in every run), the
      latest as-of date in audit.as_of_log, which the Dagster refresh job logs just before dbt starts
      (it never moves backwards, so the latest is the largest).
    A dbt command that compiles a model using it without any of these fails with this message rather
    than guessing from the data or the clock.
-#}
{% macro as_of_date() -%}
    {{ return(adapter.dispatch('as_of_date')()) }}
{%- endmacro %}

{% macro default__as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if execute and not value -%}
        {%- set value = env_var('WAREHOUSE_DBT_AS_OF_DATE', '') or (as_of_date_logged() if var('as_of_from_log', false) else none) -%}
    {%- endif -%}
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

{#- The latest as-of date logged in audit.as_of_log, as YYYY-MM-DD; none without the table or a row. -#}
{% macro as_of_date_logged() -%}
    {%- set log = adapter.get_relation(database=target.database, schema='audit', identifier='as_of_log') -%}
    {%- if log is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = run_query('select max(as_of_date) from ' ~ log).columns[0].values()[0] -%}
    {{ return(latest | string if latest is not none else none) }}
{%- endmacro %}
