{#-
    A deterministic surrogate key: the md5 hash of the given columns (or expressions), cast to
    text, nulls replaced by a sentinel and fields separated by '-', so ('a', null) and (null, 'a')
    differ. Cross-database: built from dbt.hash, dbt.concat and dbt.type_string.
    Usage: {{ generate_surrogate_key(['opportunity_id', 'stage_name']) }}
-#}
{% macro generate_surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('generate_surrogate_key')(field_list)) }}
{%- endmacro %}

{% macro default__generate_surrogate_key(field_list) -%}
    {%- if field_list is string -%}
        {%- set field_list = [field_list] -%}
    {%- endif -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_surrogate_key_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do fields.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro %}
