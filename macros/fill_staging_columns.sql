{#-
    The one passthrough place for source quirks. Selects every expected column from a source
    relation: the column itself cast to its declared type when the relation has it, or a NULL cast
    to that type when it does not. Columns the relation has beyond the expected ones (Fivetran lands
    hundreds) are ignored. Column names match case-insensitively. A relation whose columns cannot
    be read (a unit test fixture) is assumed to have them all.

    `columns` is a list of dicts: {"name": "id", "datatype": dbt.type_bigint()}, optionally with
    "quote": true for reserved words (e.g. "timestamp", "end"). The lists are generated from the
    contract (`get_<system>_<table>_columns()` in macros/generated/, `warehouse codegen`).
    `aliases` renames columns as they are imported ({"type": "task_type"}): used for reserved words,
    so that no later CTE has to quote them; every other rename happens in the model's final CTE.

    Usage (in a staging model's import CTE):
        select {{ fill_staging_columns(source('salesforce', 'task'),
                   get_salesforce_task_columns() + provenance_columns(), aliases={"type": "task_type"}) }}
        from {{ source('salesforce', 'task') }}
-#}
{% macro fill_staging_columns(source_relation, columns, aliases={}) -%}
    {{ return(adapter.dispatch('fill_staging_columns')(source_relation, columns, aliases)) }}
{%- endmacro %}

{% macro default__fill_staging_columns(source_relation, columns, aliases={}) -%}
    {%- set present = {} -%}
    {%- if execute -%}
        {%- for name in source_column_names(source_relation) -%}
            {%- do present.update({name | lower: name}) -%}
        {%- endfor -%}
    {%- endif -%}
    {#- A relation that cannot be introspected (a dbt unit test's fixture CTE) is trusted to
        have every declared column. -#}
    {%- if present | length == 0 -%}
        {%- for column in columns -%}
            {%- do present.update({column['name'] | lower: column['name']}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for column in columns -%}
        {%- set output_name = aliases.get(column['name'], column.get('alias', column['name'])) -%}
        {%- if column['name'] | lower in present -%}
            {%- set source_name = present[column['name'] | lower] -%}
            {%- set expression = adapter.quote(source_name) if column.get('quote', false) or source_name != source_name | lower else source_name -%}
            cast({{ expression }} as {{ column['datatype'] }}) as {{ adapter.quote(output_name) if column.get('quote', false) and output_name == column['name'] else output_name }}
        {%- else -%}
            cast(null as {{ column['datatype'] }}) as {{ adapter.quote(output_name) if column.get('quote', false) and output_name == column['name'] else output_name }}
        {%- endif -%}
        {{- ",\n    " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- The column names of `relation` as the database spells them (none when it does not exist). -#}
{% macro source_column_names(relation) -%}
    {{ return(adapter.dispatch('source_column_names')(relation)) }}
{%- endmacro %}

{% macro default__source_column_names(relation) -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | list) }}
{%- endmacro %}

{#- DuckDB: a catalog query (a `run_query`) instead of `adapter.get_columns_in_relation`, which builds a
    whole dbt macro context for each call (docs/decisions.md#incremental-models). A relation that is
    not a table or view of the database (a unit test's fixture CTE) has no row. -#}
{% macro duckdb__source_column_names(relation) -%}
    {%- set query -%}
        select column_name from duckdb_columns()
        where lower(database_name) = lower('{{ relation.database or target.database }}')
            and lower(schema_name) = lower('{{ relation.schema }}')
            and lower(table_name) = lower('{{ relation.identifier }}')
        order by column_index
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}
