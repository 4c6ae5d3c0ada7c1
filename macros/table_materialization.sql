{#-
    The `table` materialization on DuckDB only (dbt takes a project's materialization over its adapter's;
    PostgreSQL and Spark keep dbt's own). One `create or replace table` in the node's transaction instead
    of dbt-duckdb's create-under-a-temporary-name, rename the old table to a backup, rename the new one
    into place, commit, drop the backup: each rename and drop is an adapter call that builds dbt's whole
    macro context (about 8 ms of CPU) and a statement, four per node on a rebuild, the drop of a backup
    even on a first build (docs/decisions.md#the-duckdb-table-materialization).

    The same guarantees: the build runs in the node's transaction, so a failing query or contract check
    leaves the old table as it was (DuckDB's DDL is transactional); an enforced contract still checks the
    query's columns first (`get_assert_columns_equivalent`) and creates the table with its columns and
    constraints before inserting; hooks, grants, docs persistence and indexes as dbt-duckdb runs them; the
    relation cache learns the table from the returned relations. A view where the table goes is dropped
    first (DuckDB's `create or replace table` does not replace a view). Left to dbt-duckdb's own
    materialization and refused here: Python models, `partitioned_by`/`sorted_by`, DuckLake catalogs and
    foreign keys (which dbt-duckdb builds in place by other rules); the project uses none.
-#}
{% materialization table, adapter='duckdb', supported_languages=['sql'] %}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set grant_config = config.get('grants') -%}

    {{ duckdb_plain_table_prelude('macros/table_materialization.sql', target_relation, existing_relation) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}

    -- `BEGIN` happens here:
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is not none and not existing_relation.is_table -%}
        {%- do adapter.ensure_transaction() -%}
        {%- do adapter.drop_relation(existing_relation) -%}
    {%- endif -%}

    {% call statement('main') -%}
        {{ revenue_warehouse.duckdb_replace_table_as(target_relation, compiled_code) }}
    {%- endcall %}

    {% do create_indexes(target_relation) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}

    -- `COMMIT` happens here
    {{ adapter.commit() }}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- The node's table, created or replaced from its query: as dbt-duckdb's `create_table_as`, with
    `create or replace`. With an enforced contract: the query's columns checked against the contract,
    the table created with the contract's columns and constraints, then filled. -#}
{% macro duckdb_replace_table_as(relation, compiled_code) -%}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {{ get_assert_columns_equivalent(compiled_code) }}
    {%- endif -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create or replace table {{ relation }}
    {%- if contract_config.enforced %}
    {{ get_table_columns_and_constraints() }};
    insert into {{ relation }} {{ get_column_names() }} (
        {{ get_select_subquery(compiled_code) }}
    );
    {%- else %}
    as (
        {{ compiled_code }}
    );
    {%- endif %}
{%- endmacro %}

{#- The common start of the project's DuckDB `table` and `incremental` materializations: refuse what
    they do not build (`refused`: extra conditions, e.g. MotherDuck for the incremental one; `file`
    names the materialization in the message), then drop what an earlier build with dbt-duckdb's
    materialization may have left behind when it failed (cache look-ups only: no statement unless one
    exists). -#}
{% macro duckdb_plain_table_prelude(file, target_relation, existing_relation, refused=[]) %}
    {%- set unsupported = {'partitioned_by': config.get('partitioned_by'), 'sorted_by': config.get('sorted_by'),
                           'DuckLake': adapter.is_ducklake(target_relation),
                           'foreign keys': 'foreign_key' in enforced_constraint_types()} -%}
    {%- for name in refused -%}
        {%- do unsupported.update({name: refused[name]}) -%}
    {%- endfor -%}
    {%- if unsupported.values() | select | list -%}
        {% do exceptions.raise_compiler_error(
            file ~ " builds plain DuckDB tables only: " ~ (unsupported.keys() | join(", "))
            ~ " need dbt-duckdb's own materialization (" ~ this ~ ")") %}
    {%- endif -%}
    {{ drop_relation_if_exists(load_cached_relation(make_intermediate_relation(target_relation))) }}
    {{ drop_relation_if_exists(load_cached_relation(make_backup_relation(target_relation, 'table'))) }}
    {%- if existing_relation is not none and existing_relation.type != 'table' -%}
        {{ drop_relation_if_exists(load_cached_relation(make_backup_relation(target_relation, existing_relation.type))) }}
    {%- endif -%}
{% endmacro %}
