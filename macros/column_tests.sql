{#-
    One test node per model for its column tests (docs/decisions.md#column-tests-in-one-node-per-model).

    The column tests stay declared where they always were, in the model's YAML next to each column
    (`not_null`, `unique`, `accepted_values`, `non_negative`), and stay in the project: `dbt test
    --select <test>` runs one as before. A production build (revenue_warehouse.dbt.PRODUCTION_EXCLUDE)
    leaves those kinds out and runs instead the model's `column_tests` test, whose SQL is the union of
    every covered test's own SQL (the same dispatched macro, on the same `where` scope), one row per
    failing row of each test, named by the covered test. dbt's per-node cost (about 0.025 s of
    compiling, connection and events per test) is paid once per model, not once per column test.

    Covered: a test of those kinds with the default result config (severity error, fail_calc, warn_if,
    error_if, no limit, no stored failures) on a node that has a `column_tests` test. Any other test
    of those kinds would not run in production: `column_tests_guard` (on-run-start) refuses to run
    then, and names it.
-#}

{#- The test kinds a `column_tests` test runs. -#}
{% macro column_test_kinds() -%}
    {{ return(['not_null', 'unique', 'accepted_values', 'non_negative']) }}
{%- endmacro %}

{#- `test` (a graph test node) is one of those kinds with the default result config. -#}
{% macro column_test_coverable(test) -%}
    {%- set meta = test.get('test_metadata') or {} -%}
    {%- set c = test.config -%}
    {{ return(
        test.resource_type == 'test'
        and meta.get('name') in column_test_kinds()
        and (meta.get('namespace') or none) is none
        and (c.get('severity') or 'error') | lower == 'error'
        and (c.get('fail_calc') or 'count(*)') == 'count(*)'
        and (c.get('warn_if') or '!= 0') == '!= 0'
        and (c.get('error_if') or '!= 0') == '!= 0'
        and c.get('limit') is none
        and not c.get('store_failures')
        and test.depends_on.nodes | length == 1
    ) }}
{%- endmacro %}

{#- The node (model, seed, snapshot or source id) a single-node test reads. -#}
{% macro column_test_target(test) -%}
    {{ return(test.depends_on.nodes[0] if test.depends_on.nodes | length == 1 else none) }}
{%- endmacro %}

{#- The ids of the nodes that have a `column_tests` test. -#}
{% macro column_tests_targets() -%}
    {%- set targets = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and (node.get('test_metadata') or {}).get('name') == 'column_tests' -%}
        {%- do targets.append(column_test_target(node)) -%}
    {%- endfor -%}
    {{ return(targets) }}
{%- endmacro %}

{#- The coverable tests of every node, by node id, sorted by name: built once per invocation and kept
    in the `graph` dict, which every node's context shares (a scan of the graph per `column_tests` test
    cost about as much as the per-node work it saves). -#}
{% macro column_tests_index() -%}
    {%- set kept = graph.get('column_tests_index') -%}
    {%- if kept is not none -%}
        {{ return(kept) }}
    {%- endif -%}
    {%- set index = {} -%}
    {%- set kinds = column_test_kinds() -%}
    {%- for test in graph.nodes.values() | sort(attribute='name') if test.resource_type == 'test' and (test.get('test_metadata') or {}).get('name') in kinds -%}
        {%- if column_test_coverable(test) -%}
            {%- do index.setdefault(column_test_target(test), []).append(test) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do graph.update({'column_tests_index': index}) -%}
    {{ return(index) }}
{%- endmacro %}

{#- The tests the `column_tests` test `combined` (a graph node) runs, by name. -#}
{% macro column_tests_covered(combined) -%}
    {{ return(column_tests_index().get(column_test_target(combined), [])) }}
{%- endmacro %}

{#- What `test` reads of `relation`: its own `where` config, as get_where_subquery (check_scope.sql)
    would make it for that test (`through`: the model's checked_through literal, found once per model). -#}
{% macro column_test_relation(relation, test, through) -%}
    {%- set where = test.config.get('where') -%}
    {%- if where == '__increment__' -%}
        {%- if through is none or not check_scope_applies(test) -%}
            {{ return(relation) }}
        {%- endif -%}
        {{ return("(select * from " ~ relation ~ " where _loaded_at > " ~ through ~ ") dbt_subquery") }}
    {%- elif where -%}
        {{ return("(select * from " ~ relation ~ " where " ~ where ~ ") dbt_subquery") }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The SQL of the covered test `test` on `relation`: the macro dbt would call for it. -#}
{% macro column_test_sql(test, relation) -%}
    {%- set meta = test.test_metadata -%}
    {%- set kwargs = meta.kwargs -%}
    {%- for key, value in kwargs.items() if key != 'model' and value is string and '{{' in value -%}
        {{ exceptions.raise_compiler_error("column_tests: " ~ test.name ~ " has a templated argument " ~ key ~ "; column_tests does not render it") }}
    {%- endfor -%}
    {%- set name = meta.name -%}
    {%- if name == 'not_null' -%}
        {{ return(adapter.dispatch('test_not_null', 'dbt')(relation, kwargs.column_name)) }}
    {%- elif name == 'unique' -%}
        {{ return(adapter.dispatch('test_unique', 'dbt')(relation, kwargs.column_name)) }}
    {%- elif name == 'accepted_values' -%}
        {{ return(adapter.dispatch('test_accepted_values', 'dbt')(relation, kwargs.column_name, kwargs['values'], kwargs.get('quote', true))) }}
    {%- elif name == 'non_negative' -%}
        {{ return(test_non_negative(relation, kwargs.column_name)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("column_tests: no SQL for a " ~ name ~ " test") }}
{%- endmacro %}

{#- Generic test: every covered column test of the model in one query, one row per failing row of
    each test (each covered test's own rows, so the failures are the sum of theirs), with the covered
    test's name (`test_name`). -#}
{% test column_tests(model) %}
    {%- set combined = graph.nodes.get(config.model.unique_id) if execute else none -%}
    {%- set covered = column_tests_covered(combined) if combined is not none else [] -%}
    {%- set through = none -%}
    {%- if covered and not checks_full_scope() -%}
        {%- set scoped = [] -%}
        {%- for test in covered if check_scope_applies(test) -%}
            {%- do scoped.append(test) -%}
        {%- endfor -%}
        {%- if scoped -%}
            {%- set through = checked_through_literal(graph.nodes[scoped[0].attached_node].name) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not covered %}
select {{ dbt.string_literal('') }} as test_name
from {{ model }}
where 1 = 0
    {%- endif -%}
    {%- for test in covered %}
{% if not loop.first %}union all
{% endif -%}
select {{ dbt.string_literal(test.name) }} as test_name
from (
{{ column_test_sql(test, column_test_relation(model, test, through)) }}
) covered_{{ loop.index }}
    {%- endfor %}
{% endtest %}

{#- on-run-start: every test a production build leaves out (the kinds above) must be covered. -#}
{% macro column_tests_guard() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set targets = column_tests_targets() -%}
    {%- set uncovered = [] -%}
    {%- set kinds = column_test_kinds() -%}
    {%- for test in graph.nodes.values() if test.resource_type == 'test' and (test.get('test_metadata') or {}).get('name') in kinds -%}
        {%- if not column_test_coverable(test) or column_test_target(test) not in targets -%}
            {%- do uncovered.append(test.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if uncovered -%}
        {{ exceptions.raise_compiler_error("column tests a production build would not run (give their model a `column_tests` test, and keep their result config the default; macros/column_tests.sql): " ~ uncovered | sort | join(', ')) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- on-run-end: for every `column_tests` test that failed, each covered test that failed and on how
    many rows, in dbt's output (and so in the Dagster check's metadata: orchestration/dbt_events.py). -#}
{% macro column_tests_report(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for result in results if result.node.resource_type == 'test' and result.status in ('fail', 'warn') -%}
        {%- set combined = graph.nodes.get(result.node.unique_id) -%}
        {%- if combined is not none and (combined.get('test_metadata') or {}).get('name') == 'column_tests' -%}
            {%- set covered = {} -%}
            {%- for test in column_tests_covered(combined) -%}
                {%- do covered.update({test.name: test}) -%}
            {%- endfor -%}
            {%- set counts = run_query("select test_name, count(*) as failures from (" ~ result.node.compiled_code ~ ") failing group by test_name order by test_name") -%}
            {%- for row in counts.rows -%}
                {%- set test = covered[row[0]] -%}
                {%- do log("column test failed: " ~ tojson({
                    "combined": combined.name, "test": test.name, "unique_id": test.unique_id,
                    "kind": test.test_metadata.name, "column": test.test_metadata.kwargs.column_name,
                    "node": column_test_target(test), "failures": row[1] | int}, sort_keys=true), info=true) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
