{#-
    The `incremental` materialization on DuckDB only (dbt takes a project's materialization over its
    adapter's; PostgreSQL keeps dbt's own, Spark builds these models as tables). dbt-duckdb's, with
    fewer adapter calls per node (each builds dbt's macro context, and a column look-up is a statement
    too; docs/decisions.md#the-duckdb-incremental-materialization):
    - an incremental run reads the columns of its temporary relation and of the stored table in one
      query, not two `get_columns_in_relation` calls, and compares them as dbt's
      `check_for_schema_changes` does (`diff_columns`, `diff_column_data_types`): with
      on_schema_change='fail' (the project's) a difference fails the node with dbt's message, before
      anything is written; the other settings go through dbt's own `process_schema_changes`;
    - a first build or a full refresh is one `create or replace table` in the node's transaction
      (macros/table_materialization.sql's `duckdb_replace_table_as`, an enforced contract checked
      first), instead of create-under-a-temporary-name, two renames and a drop of the backup.
    The rest as dbt-duckdb: the temporary relation dbt names `<model>__dbt_tmp<timestamp>`
    (`make_temp_relation`; macros/incremental_helpers.sql's touch_changes_record reads it), the
    strategy's SQL from `adapter.get_incremental_strategy_macro` (the project's delete+insert),
    incremental_predicates, hooks, grants, indexes on a first build or full refresh, docs persistence,
    the relation cache. Refused here (left to dbt-duckdb's materialization): Python models,
    `partitioned_by`/`sorted_by`, DuckLake catalogs, MotherDuck and foreign keys; the project uses none.
-#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql'] -%}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set full_refresh_mode = should_full_refresh() or (existing_relation is not none and existing_relation.is_view) -%}
    {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') -%}
    {%- set grant_config = config.get('grants') -%}

    {{ duckdb_plain_table_prelude('macros/incremental_materialization.sql', target_relation, existing_relation,
                                  refused={'MotherDuck': adapter.is_motherduck()}) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}

    -- `BEGIN` happens here:
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is none or full_refresh_mode -%}
        {%- if existing_relation is not none and not existing_relation.is_table -%}
            {%- do adapter.ensure_transaction() -%}
            {%- do adapter.drop_relation(existing_relation) -%}
        {%- endif -%}
        {%- set build_sql = revenue_warehouse.duckdb_replace_table_as(target_relation, compiled_code) -%}
    {%- else -%}
        {%- set temp_relation = make_temp_relation(target_relation) -%}
        {%- if config.get('incremental_strategy') == 'by_difference' -%}
            {%- do run_query(revenue_warehouse.by_difference_temp_table(temp_relation, compiled_code)) -%}
        {%- else -%}
            {%- do run_query(create_table_as(True, temp_relation, compiled_code)) -%}
        {%- endif -%}
        {%- set dest_columns = revenue_warehouse.duckdb_incremental_columns(on_schema_change, temp_relation, existing_relation) -%}
        {%- set incremental_strategy = config.get('incremental_strategy') or 'default' -%}
        {%- set incremental_predicates = config.get('predicates', none) or config.get('incremental_predicates', none) -%}
        {%- set strategy_sql_macro_func = adapter.get_incremental_strategy_macro(context, incremental_strategy) -%}
        {%- set strategy_arg_dict = ({'target_relation': target_relation, 'temp_relation': temp_relation,
            'unique_key': unique_key, 'dest_columns': dest_columns, 'incremental_predicates': incremental_predicates}) -%}
        {%- set build_sql = strategy_sql_macro_func(strategy_arg_dict) -%}
    {%- endif -%}

    {% call statement('main') -%}
        {{- build_sql }}
    {%- endcall %}

    {% set should_revoke = should_revoke(existing_relation, full_refresh_mode) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

    {% if existing_relation is none or full_refresh_mode %}
        {% do create_indexes(target_relation) %}
    {% endif %}

    {% do persist_docs(target_relation, model) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    -- `COMMIT` happens here
    {% do adapter.commit() %}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{%- endmaterialization %}


{#- The columns an incremental run writes (the temporary relation's), after dbt's schema-change rule:
    with on_schema_change='fail', both relations' columns from one query, compared as dbt's
    check_for_schema_changes does, and dbt's error when they differ; 'ignore' the stored table's
    columns (as dbt-duckdb); the other settings dbt's process_schema_changes. The flag column of a
    model written by difference (macros/written_by_difference.sql) is not a column of its table. -#}
{% macro duckdb_incremental_columns(on_schema_change, temp_relation, existing_relation) -%}
    {%- if on_schema_change == 'ignore' -%}
        {{ return(adapter.get_columns_in_relation(existing_relation)) }}
    {%- elif on_schema_change != 'fail' -%}
        {{ return(process_schema_changes(on_schema_change, temp_relation, existing_relation)) }}
    {%- endif -%}
    {#- DuckDB keeps temporary tables in the catalog `temp`, schema `main` -#}
    {%- set described = run_query(
        "select case when database_name = 'temp' then 0 else 1 end as side, column_name, data_type"
        ~ " from duckdb_columns() where (database_name = 'temp' and schema_name = 'main'"
        ~ " and table_name = '" ~ temp_relation.identifier ~ "')"
        ~ " or (lower(database_name) = lower('" ~ existing_relation.database ~ "')"
        ~ " and lower(schema_name) = lower('" ~ existing_relation.schema ~ "')"
        ~ " and lower(table_name) = lower('" ~ existing_relation.identifier ~ "'))"
        ~ " order by side, column_index"
    ) -%}
    {%- set source_columns = [] -%}
    {%- set target_columns = [] -%}
    {%- for row in described -%}
        {#- a model written by difference flags its withdrawn keys in a column the table has not -#}
        {%- if not (row[0] == 0 and row[1] | lower == revenue_warehouse.by_difference_flag()) -%}
            {%- do (source_columns if row[0] == 0 else target_columns).append(api.Column(row[1], row[2], none, none, none)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set source_not_in_target = diff_columns(source_columns, target_columns) -%}
    {%- set target_not_in_source = diff_columns(target_columns, source_columns) -%}
    {%- set new_target_types = diff_column_data_types(source_columns, target_columns) -%}
    {%- if source_not_in_target != [] or target_not_in_source != [] or new_target_types != [] -%}
        {% set fail_msg %}
            The source and target schemas on this incremental model are out of sync!
            They can be reconciled in several ways:
                - set the `on_schema_change` config to either append_new_columns or sync_all_columns, depending on your situation.
                - Re-run the incremental model with `full_refresh: True` to update the target schema.
                - update the schema manually and re-run the process.

            Additional troubleshooting context:
                Source columns not in target: {{ source_not_in_target }}
                Target columns not in source: {{ target_not_in_source }}
                New column types: {{ new_target_types }}
        {% endset %}
        {% do exceptions.raise_compiler_error(fail_msg) %}
    {%- endif -%}
    {{ return(source_columns) }}
{%- endmacro %}
