{#-
    Keep the latest version of each record of a connector table: a changed record reappears in a
    later daily extract with a newer `_fivetran_synced`. Ties (exact duplicate rows, re-deliveries)
    are broken by the later extract date and file row, so the result is deterministic.
    Usage: `{{ latest_record('source', 'id') }}` inside a CTE; returns every column of the relation.
    `key` names the relation's key columns (comma-separated), in the order of the model's
    `unique_key` config (the same columns after staging's renames).

    Incremental staging (docs/decisions.md#incremental-models): on an incremental run only the
    affected keys are recomputed, from ALL their raw rows with the same version rule, and replaced by
    key (delete+insert; merge on Spark/Databricks). Affected keys are the keys of raw rows loaded since
    the last build (`_loaded_at` later than the newest `_loaded_at` the table keeps) plus the keys whose
    kept version came from an extract date (re)loaded since then: the loader replaces a whole extract
    date, so a re-delivery can withdraw the kept version (an older one is then back; the loader's
    manifest shows a day re-delivered with no rows at all). A key left with
    no raw row at all is deleted before the build by `delete_withdrawn_records` (the folder's
    pre-hook). The table keeps each version's `_extract_date` and `_loaded_at` (`version_columns`).
-#}
{% macro latest_record(relation, key, synced='_fivetran_synced') -%}
    {%- set keys = key.split(',') | map('trim') | list -%}
    select ranked.*
    from (
        select
            {{ relation }}.*,
            row_number() over (
                partition by {% for k in keys %}{{ relation }}.{{ k }}{{ ', ' if not loop.last }}{% endfor %}
                order by {{ synced }} desc nulls last, _extract_date desc nulls last, _source_row_number desc nulls last
            ) as _version_rank
        from {{ relation }}
        {%- if is_incremental() %}
        inner join ({{ affected_record_keys(relation, keys, synced) }}) as _affected
            on {% for k in keys %}{{ relation }}.{{ k }} = _affected.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
        {%- endif %}
    ) as ranked
    where ranked._version_rank = 1
{%- endmacro %}

{#- The model's unique_key config as a list (the staging names of the key columns). -#}
{% macro staging_unique_key() -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- if unique_key is none -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": an incremental staging model needs config(unique_key=...)") }}
    {%- endif -%}
    {{ return([unique_key] if unique_key is string else unique_key) }}
{%- endmacro %}

{#- When a raw row arrived: its load time, or for a connector's own tables (no loader, no
    `_loaded_at`) its sync time. -#}
{% macro raw_loaded_at(synced='_fivetran_synced') -%}
    coalesce(_loaded_at, {{ synced }})
{%- endmacro %}

{#- The newest load time the incremental table keeps: raw rows loaded later are new. -#}
{% macro staging_watermark() -%}
    (select coalesce(max(_loaded_at), cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})) from {{ this }})
{%- endmacro %}

{#- The source whose `meta.staging_model` is this model (the generated sources YAML). -#}
{% macro staging_source_node() -%}
    {%- set found = [] -%}
    {%- for node in graph.sources.values() if node.meta.get('staging_model') == model.name -%}
        {%- do found.append(node) -%}
    {%- endfor -%}
    {%- if found | length != 1 -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": expected one source with meta.staging_model = " ~ model.name ~ ", found " ~ found | length) }}
    {%- endif -%}
    {{ return(found[0]) }}
{%- endmacro %}

{#- Extract dates (re)loaded since the last build: the dates of raw rows loaded since then, plus the
    dates the loader's manifest (`audit.load_manifest`, when the loader wrote this warehouse) records
    as loaded since then: a day re-delivered EMPTY leaves no raw row to show it was replaced. -#}
{% macro reloaded_extract_dates(relation, loaded_at) -%}
    select distinct _extract_date from {{ relation }} where {{ loaded_at }} > {{ staging_watermark() }}
    {%- if execute %}
        {%- set node = staging_source_node() -%}
        {%- set manifest = adapter.get_relation(database=target.database, schema='audit', identifier='load_manifest') -%}
        {%- if manifest is not none %}
    union
    select extract_date as _extract_date from {{ manifest }}
    where system = '{{ node.source_name }}' and table_name = '{{ node.name }}'
        and loaded_at > {{ staging_watermark() }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Keys (relation's names) an incremental run recomputes: see latest_record. -#}
{% macro affected_record_keys(relation, keys, synced) -%}
    {%- set unique_key = staging_unique_key() -%}
    {%- if unique_key | length != keys | length -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": latest_record key " ~ keys ~ " does not match unique_key " ~ unique_key) }}
    {%- endif -%}
    select {{ keys | join(', ') }}
    from {{ relation }}
    where {{ raw_loaded_at(synced) }} > {{ staging_watermark() }}
    union
    select {% for k in keys %}{{ unique_key[loop.index0] }} as {{ k }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ this }}
    where _extract_date in ({{ reloaded_extract_dates(relation, raw_loaded_at(synced)) }})
{%- endmacro %}

{#- The version columns an incremental staging table keeps (last in its final select): the kept
    version's extract date and load time (sync time for a connector's own tables). -#}
{% macro version_columns(synced='_fivetran_synced') -%}
    _extract_date,
        {{ raw_loaded_at(synced) }} as _loaded_at
{%- endmacro %}

{#-
    Pre-hook of the incremental staging models: before an incremental run, delete the records whose
    kept version came from an extract date (re)loaded since the last build and that have no raw row
    left (a re-delivery withdrew the record's only versions). The raw table and its key come from the
    source whose `meta.staging_model` is this model (the generated sources YAML). Tables without the
    loader's provenance columns (a connector's own tables) have no re-deliveries: nothing to do.
-#}
{% macro delete_withdrawn_records() -%}
    {%- if execute and is_incremental() -%}
        {%- set node = staging_source_node() -%}
        {%- set raw = source(node.source_name, node.name) -%}
        {%- set raw_keys = node.meta['primary_key'] -%}
        {%- set unique_key = staging_unique_key() -%}
        {%- set present = adapter.get_columns_in_relation(raw) | map(attribute='name') | map('lower') | list -%}
        {%- if '_extract_date' in present and '_loaded_at' in present -%}
            delete from {{ this }} as kept
            where kept._extract_date in ({{ reloaded_extract_dates(raw, raw_loaded_at()) }})
                and not exists (
                    select 1 from {{ raw }} as raw_rows
                    where {% for k in raw_keys %}raw_rows.{{ adapter.quote(k) }} = kept.{{ unique_key[loop.index0] }}{{ ' and ' if not loop.last }}{% endfor %}
                )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
