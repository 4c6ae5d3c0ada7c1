{#-
    The one passthrough place for source quirks. Selects every expected column from a source
    relation: the column itself cast to its declared type when the relation has it, or a NULL cast
    to that type when it does not. Columns the relation has beyond the expected ones (Fivetran lands
    hundreds) are ignored. Column names match case-insensitively. A relation whose columns cannot
    be read (a unit test fixture) is assumed to have them all.

    `columns` is a list of dicts: {"name": "id", "datatype": dbt.type_bigint()}, optionally with
    "alias" (output name) and "quote": true for reserved words (e.g. "timestamp", "end").

    Usage (in a staging model's import CTE):
        select {{ fill_staging_columns(source('hubspot', 'contact'), [
            {"name": "id", "datatype": dbt.type_bigint()},
            {"name": "property_email", "datatype": dbt.type_string(), "alias": "email"},
        ]) }}
        from {{ source('hubspot', 'contact') }}
-#}
{% macro fill_staging_columns(source_relation, columns) -%}
    {{ return(adapter.dispatch('fill_staging_columns')(source_relation, columns)) }}
{%- endmacro %}

{% macro default__fill_staging_columns(source_relation, columns) -%}
    {%- set present = {} -%}
    {%- if execute -%}
        {%- for col in adapter.get_columns_in_relation(source_relation) -%}
            {%- do present.update({col.name | lower: col.name}) -%}
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
        {%- set output_name = column.get('alias', column['name']) -%}
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
