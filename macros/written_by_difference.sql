{#-
    Tables written by difference (docs/decisions.md#incremental-models, "Tables written by
    difference"): large tables rebuilt from all their inputs on every run, whose rows mostly do not
    change from one day to the next (the identity and journey models, the lead and funnel marts). The
    model computes every row, as a full build does; an incremental run writes only the rows that are
    new or whose values differ from the stored row with the same primary key, and deletes the stored
    rows no longer computed. DuckDB only: writing a table costs it about as much as computing it (its
    compression), comparing costs less. The stored table equals a full build after every run,
    whatever changed.

    by_difference_config(key): the model's config, `{{ config(**by_difference_config('<key>')) }}`:
    on DuckDB incremental with the strategy `by_difference` on `key`; elsewhere a table.

    select_by_difference(computed, key): the model's last statement, after its CTEs; `computed` is
    the CTE holding the model's rows, `key` their primary key (never null). A full build selects
    `computed`. An incremental run continues the `with` list with changed_rows' CTEs (one 64-bit hash
    per row of every column but the key, as the touches') and selects the changed rows with every
    computed column (a column the model added reaches dbt's schema check, on_schema_change='fail'; a
    column it dropped fails the comparison) plus one row per withdrawn key, flagged in the column
    `_by_difference_withdrawn` (false on the changed rows).

    by_difference_temp_table(relation, sql): the run's temporary table, as dbt-duckdb's
    create_table_as makes it, with an enforced contract checked on the model's columns (the flag
    column left out).

    get_incremental_by_difference_sql: the strategy. Deletes the stored rows of every key of the run's
    rows, then inserts the rows not flagged withdrawn. The flag column is not part of the table: the
    DuckDB incremental materialization leaves it out of its schema check and of the written columns
    (macros/incremental_materialization.sql).
-#}
{% macro by_difference_flag() -%}
    {{ return('_by_difference_withdrawn') }}
{%- endmacro %}

{% macro by_difference_config(key) -%}
    {{ return(adapter.dispatch('by_difference_config')(key)) }}
{%- endmacro %}

{% macro default__by_difference_config(key) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{% macro duckdb__by_difference_config(key) -%}
    {{ return({
        'materialized': 'incremental',
        'unique_key': key,
        'incremental_strategy': 'by_difference',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{% macro select_by_difference(computed, key) -%}
    {%- if is_incremental() -%}
        {%- set compared = relation_column_names([this])[0] | reject('equalto', key | lower) | list -%}
,

{{ changed_rows(computed, [key], key, compared, output_columns=['* exclude (_built_key, _is_withdrawn)', 'false as ' ~ by_difference_flag()]) }}

_written_by_difference as (
    select * from changed
    union all by name
    select {{ key }}, true as {{ by_difference_flag() }} from withdrawn
)

select * from _written_by_difference
    {%- else -%}
select * from {{ computed }}
    {%- endif -%}
{%- endmacro %}

{% macro by_difference_temp_table(relation, sql) -%}
    {%- if (config.get('contract') or {}).enforced -%}
        {{ get_assert_columns_equivalent('select * exclude (' ~ by_difference_flag() ~ ') from (' ~ sql ~ ') as _computed') }}
    {%- endif %}
    create temporary table {{ relation.include(database=false, schema=false) }} as (
        {{ sql }}
    )
{%- endmacro %}

{% macro get_incremental_by_difference_sql(arg_dict) -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ key }} in (select {{ key }} from {{ arg_dict['temp_relation'] }});
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }} where not {{ by_difference_flag() }}
{%- endmacro %}
