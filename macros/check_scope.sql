{#-
    Daily runs test what changed (docs/decisions.md#scoped-dbt-tests-on-a-daily-run).

    The tests of the incremental staging models carry `where: "__increment__"` (dbt_project.yml,
    `data_tests:` of models/staging). For a test where that is sound (`check_scope_applies`), the
    placeholder becomes "rows loaded since the table was last checked": `_loaded_at` later than the
    model's `checked_through` in `check_state.dbt_checked_through`, a literal found when the test runs.
    Anywhere else, and in full scope, the test reads the whole table:
    - with `--full-refresh`, with the var `checks_scope: full`, when the model has no
      `checked_through` row (its first build; `delete from check_state.dbt_checked_through` forces a full
      scope on demand), or when its build re-derived records from re-delivered extract dates (the
      staging pre-hook `delete_withdrawn_records` drops its row: such records can keep older load
      times).
    `record_checked_through` (on-run-end) moves a model's `checked_through` to its newest `_loaded_at`
    only when every scoped test of the model ran in this invocation and passed: rows of a failed or
    interrupted run stay in the next run's scope until a run checks them and passes.
-#}

{#- Sound to scope to the rows loaded since the last passing check (see the decisions doc):
    row-local tests (one row's values decide it: not_null, accepted_values, non_negative), and
    `unique` on the model's own unique_key (delete+insert/merge by that key: a new row replaces the
    kept row with its key, so a duplicate can only be among the rows written since). The tested node
    must be an incremental model. Everything else (relationships, orphans, combinations, singular
    tests, sources, table models) reads the whole table. `test` is a test node of the graph. -#}
{% macro check_scope_applies(test) -%}
    {%- set meta = test.get('test_metadata') or {} -%}
    {%- set kind = meta.get('name') -%}
    {%- set attached = test.get('attached_node') -%}
    {%- if (test.config.get('where') or '') != '__increment__' or attached is none or attached not in graph.nodes -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set node = graph.nodes[attached] -%}
    {%- if node.resource_type != 'model' or node.config.materialized != 'incremental' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if kind in ('not_null', 'accepted_values', 'non_negative') -%}
        {{ return(true) }}
    {%- elif kind == 'unique' -%}
        {%- set unique_key = node.config.get('unique_key') -%}
        {{ return(unique_key is string and unique_key == meta.get('kwargs', {}).get('column_name')) }}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}

{#- The dbt var `checks_scope`: `increment` (default) or `full`. -#}
{% macro checks_full_scope() -%}
    {%- set scope = var('checks_scope', 'increment') -%}
    {%- if scope not in ('increment', 'full') -%}
        {{ exceptions.raise_compiler_error("var checks_scope must be 'increment' or 'full', not '" ~ scope ~ "'") }}
    {%- endif -%}
    {{ return(scope == 'full' or flags.FULL_REFRESH) }}
{%- endmacro %}

{#- check_state.dbt_checked_through, or none when it does not exist. -#}
{% macro checked_through_relation() -%}
    {{ return(adapter.get_relation(database=target.database, schema='check_state', identifier='dbt_checked_through')) }}
{%- endmacro %}

{#- The model's checked_through as a SQL literal, or none (full scope). -#}
{% macro checked_through_literal(model_name) -%}
    {%- set relation = checked_through_relation() -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query("select max(checked_through) from " ~ relation ~ " where model = '" ~ model_name ~ "'").columns[0].values()[0] -%}
    {{ return(none if found is none else "cast('" ~ found ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#- dbt's generic tests read `get_where_subquery(relation)`: the `__increment__` placeholder becomes
    the rows loaded since the model was last checked, or the whole table (see above). Any other
    `where` config works as in dbt. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == '__increment__' -%}
        {%- set test = graph.nodes.get(model.unique_id) -%}
        {%- set through = none -%}
        {%- if execute and test is not none and check_scope_applies(test) and not checks_full_scope() -%}
            {%- set through = checked_through_literal(graph.nodes[test.attached_node].name) -%}
        {%- endif -%}
        {%- if through is none -%}
            {{ return(relation) }}
        {%- endif -%}
        {{ return("(select * from " ~ relation ~ " where _loaded_at > " ~ through ~ ") dbt_subquery") }}
    {%- endif -%}
    {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
{%- endmacro %}

{#- on-run-end: move checked_through of every incremental model whose scoped tests all ran in this
    invocation and passed to the newest `_loaded_at` it holds (see above). -#}
{% macro record_checked_through(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set passed = [] -%}
    {%- for result in results if result.node.resource_type == 'test' and result.status == 'pass' -%}
        {%- do passed.append(result.node.unique_id) -%}
        {#- a passing `column_tests` test passed every test it covers (macros/column_tests.sql) -#}
        {%- set node = graph.nodes.get(result.node.unique_id) -%}
        {%- if node is not none and (node.get('test_metadata') or {}).get('name') == 'column_tests' -%}
            {%- for test in column_tests_covered(node) -%}
                {%- do passed.append(test.unique_id) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set scoped = {} -%}
    {%- for test in graph.nodes.values() if test.resource_type == 'test' and check_scope_applies(test) -%}
        {%- do scoped.setdefault(test.attached_node, []).append(test.unique_id) -%}
    {%- endfor -%}
    {%- set checked = [] -%}
    {%- for model_id, tests in scoped.items() | sort -%}
        {%- if tests | reject('in', passed) | list | length == 0 -%}
            {%- do checked.append(graph.nodes[model_id]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if checked -%}
        {%- set relation = checked_through_relation() -%}
        {%- if relation is none -%}
            {%- do adapter.create_schema(api.Relation.create(database=target.database, schema='check_state')) -%}
            {#- created here: the adapter's relation cache does not list it yet -#}
            {%- set relation = api.Relation.create(database=target.database, schema='check_state', identifier='dbt_checked_through') -%}
            {%- do run_query("create table " ~ relation ~ " (model " ~ dbt.type_string() ~ ", checked_through " ~ dbt.type_timestamp() ~ ", invocation_id " ~ dbt.type_string() ~ ")") -%}
        {%- endif -%}
        {%- set names = [] -%}
        {%- for node in checked -%}
            {%- do names.append("'" ~ node.name ~ "'") -%}
        {%- endfor -%}
        {%- do run_query("delete from " ~ relation ~ " where model in (" ~ names | join(', ') ~ ")") -%}
        {%- set rows = [] -%}
        {%- for node in checked -%}
            {%- do rows.append("select '" ~ node.name ~ "', max(_loaded_at), '" ~ invocation_id ~ "' from " ~ api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -%}
        {%- endfor -%}
        {%- do run_query("insert into " ~ relation ~ " (model, checked_through, invocation_id) " ~ rows | join(' union all ')) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- The staging pre-hook's part: a build that re-derives records from re-delivered extract dates
    (records whose kept version can have an older `_loaded_at`) checks the whole model afterwards. -#}
{% macro reset_checked_through() -%}
    {%- set relation = checked_through_relation() -%}
    {%- if relation is not none -%}
        {%- do run_query("delete from " ~ relation ~ " where model = '" ~ this.identifier ~ "'") -%}
    {%- endif -%}
{%- endmacro %}
