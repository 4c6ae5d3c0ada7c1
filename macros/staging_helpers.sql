{#- Helpers shared by the staging models (one place for the version, email and domain rules). -#}

{#- The loader's provenance columns that, with the contract's `_fivetran_synced`, decide which version
    of a record wins, and (`_loaded_at`) which raw rows are new to an incremental build (see latest_record). -#}
{% macro provenance_columns() -%}
    {{ return([
        {"name": "_extract_date", "datatype": "date"},
        {"name": "_source_row_number", "datatype": dbt.type_bigint()},
        {"name": "_loaded_at", "datatype": dbt.type_timestamp()},
    ]) }}
{%- endmacro %}

{#- Normalised email: trimmed, lower case; empty strings become null. -#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{#- The domain part of an email (after the last '@'), normalised. -#}
{% macro email_domain(column) -%}
    nullif({{ dbt.split_part(normalize_email(column), "'@'", 2) }}, '')
{%- endmacro %}

{#- A website or domain reduced to its bare host: no scheme, no www., no path, lower case. -#}
{% macro url_domain(column) -%}
    {{ return(adapter.dispatch('url_domain')(column)) }}
{%- endmacro %}

{% macro default__url_domain(column) -%}
    nullif({{ dbt.split_part(
        "regexp_replace(regexp_replace(lower(trim(" ~ column ~ ")), '^[a-z]+://', ''), '^www\\.', '')",
        "'/'", 1
    ) }}, '')
{%- endmacro %}

{#- Soft delete flag from either the source system's is_deleted or the connector's _fivetran_deleted. -#}
{% macro soft_deleted(columns) -%}
    {%- set parts = [] -%}
    {%- for c in columns -%}{%- do parts.append("coalesce(" ~ c ~ ", false)") -%}{%- endfor -%}
    ({{ parts | join(' or ') }})
{%- endmacro %}
