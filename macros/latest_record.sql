{#-
    Keep the latest version of each record of a connector table: a changed record reappears in a
    later daily extract with a newer `_fivetran_synced`. Ties (exact duplicate rows, re-deliveries)
    are broken by the later extract date and file row, so the result is deterministic.
    Usage: `{{ latest_record('source', 'id') }}` inside a CTE; returns every column of the relation.
    `key` names the relation's key columns (comma-separated), in the order of the model's
    `unique_key` config (the same columns after staging's renames).

    Incremental staging (docs/decisions.md#incremental-models): an incremental run reads only the raw
    rows loaded since the last build (`_loaded_at` later than the newest `_loaded_at` the table
    keeps, a literal found at run time so that the database skips the older row groups) and emits a
    record only where one of its new rows beats the kept version under the version rule: the table
    keeps the kept version's ordering columns (`version_columns`), so the new rows are ranked with
    the kept version's tuple, not with all the record's raw rows. dbt replaces the emitted records by
    key (delete+insert; merge on Spark/Databricks). The loader replaces a whole extract date, so a
    re-delivery can withdraw a kept version (an older one is then back; the loader's manifest shows a
    day re-delivered with no rows at all): the records whose kept version came from an extract date
    (re)loaded since the last build are recomputed from ALL their raw rows, and those left with no raw
    row at all are deleted before the build by `delete_withdrawn_records` (the folder's pre-hook).
    Both steps are left out of the SQL when no kept version is on such a date (the daily case).
-#}
{% macro latest_record(relation, key, synced='_fivetran_synced') -%}
    {%- set keys = key.split(',') | map('trim') | list -%}
    {%- if is_incremental() -%}
        {{ latest_record_incremental(relation, keys, synced) }}
    {%- else -%}
        {{ latest_version(relation, keys, synced) }}
    {%- endif -%}
{%- endmacro %}

{#- The version rule: the latest sync, then the later extract date, then the later file row. -#}
{% macro version_order(synced) -%}
    {{ synced }} desc nulls last, _extract_date desc nulls last, _source_row_number desc nulls last
{%- endmacro %}

{#- The latest version of each key among the rows of `relation` that pass `where` (all rows when
    none) and whose key is in the query `join` (all keys when none), with its `_version_rank` (1). -#}
{% macro latest_version(relation, keys, synced, where=none, join=none) -%}
    select ranked.*
    from (
        select
            {{ relation }}.*,
            row_number() over (
                partition by {% for k in keys %}{{ relation }}.{{ k }}{{ ', ' if not loop.last }}{% endfor %}
                order by {{ version_order(synced) }}
            ) as _version_rank
        from {{ relation }}
        {%- if join is not none %}
        inner join ({{ join }}) as _selected
            on {% for k in keys %}{{ relation }}.{{ k }} = _selected.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
        {%- endif %}
        {%- if where is not none %}
        where {{ where }}
        {%- endif %}
    ) as ranked
    where ranked._version_rank = 1
{%- endmacro %}

{#- An incremental run's records (see latest_record): the new rows that beat their record's kept
    version, and the records whose kept version came from a re-delivered extract date, recomputed
    from all their raw rows. `relation` is the model's import CTE (all raw columns, same names). -#}
{% macro latest_record_incremental(relation, keys, synced) -%}
    {%- set unique_key = staging_unique_key() -%}
    {%- if unique_key | length != keys | length -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": latest_record key " ~ keys ~ " does not match unique_key " ~ unique_key) }}
    {%- endif -%}
    {%- set increment = staging_increment(synced) -%}
    {%- set is_new = increment.loaded_at ~ ' > ' ~ increment.watermark -%}
    {#- read back by the pre-hook (delete_withdrawn_records) of the same node, which then asks nothing -#}
    {{ redelivered_dates_marker(increment.redelivered_dates) }}
    {%- set redelivered = "_extract_date in (" ~ increment.redelivered_dates | join(', ') ~ ")" -%}
    {%- set redelivered_keys -%}
        select {% for k in keys %}{{ unique_key[loop.index0] }} as {{ k }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ this }}
        where {{ redelivered }}
    {%- endset -%}
    select newest.*
    from ({{ latest_version(relation, keys, synced, where=is_new) }}) as newest
    inner join (
        select {{ keys | join(', ') }}
        from (
            select
                contenders.*,
                row_number() over (
                    partition by {{ keys | join(', ') }}
                    order by {{ version_order(synced) }}
                ) as _contender_rank
            from (
                select {{ keys | join(', ') }}, {{ synced }}, _extract_date, _source_row_number, 1 as _is_new
                from {{ relation }}
                where {{ is_new }}
                union all
                select
                    {% for k in keys %}kept.{{ unique_key[loop.index0] }} as {{ k }}, {% endfor %}
                    kept._version_synced_at as {{ synced }},
                    kept._extract_date,
                    kept._source_row_number,
                    0 as _is_new
                from {{ this }} as kept
                inner join (
                    select distinct {{ keys | join(', ') }} from {{ relation }} where {{ is_new }}
                ) as new_keys
                    on {% for k in keys %}kept.{{ unique_key[loop.index0] }} = new_keys.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
            ) as contenders
        ) as ranked_contenders
        where _contender_rank = 1 and _is_new = 1
    ) as winners
        on {% for k in keys %}newest.{{ k }} = winners.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- if increment.redelivered_dates %}
    where not exists (
        select 1 from {{ this }} as kept
        where kept.{{ redelivered }}
            and {% for k in keys %}kept.{{ unique_key[loop.index0] }} = newest.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    )
    union all
    /* the keys kept from re-delivered extract dates, recomputed from all their raw rows */
    {{ latest_version(relation, keys, synced, join=redelivered_keys) }}
    {%- endif %}
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

{#- What an incremental run of this staging model reads, found at run time (one query each) and
    returned as SQL literals, so that the model's filters are plain column comparisons:
    - `loaded_at`: the raw column that tells when a row arrived: `_loaded_at` (the loader's), or for a
      connector's own tables (no `_loaded_at`) the sync time;
    - `watermark`: the newest `_loaded_at` the table keeps (1900-01-01 when empty): raw rows that
      arrived later are new;
    - `redelivered_dates`: the extract dates of kept versions that were (re)loaded since then: the
      dates of the new raw rows, plus the dates the loader's manifest (`audit.load_manifest`, when
      the loader wrote this warehouse) records as written since then (status `loaded` or `replaced`: a
      day re-delivered EMPTY leaves no raw row to show it was replaced; a file skipped as already
      loaded, `skipped_duplicate`, or one that `failed` changed nothing). Empty in a daily run (its new day holds no kept version)
      and for a connector's own tables (no re-deliveries). -#}
{% macro staging_increment(synced='_fivetran_synced') -%}
    {%- set node = staging_source_node() -%}
    {%- set raw = source(node.source_name, node.name) -%}
    {%- set columns = relation_column_names([raw, this]) -%}
    {%- set present = columns[0] -%}
    {%- set provenance = '_extract_date' in present and '_loaded_at' in present -%}
    {%- set kept_columns = columns[1] -%}
    {%- if '_version_synced_at' not in kept_columns or '_source_row_number' not in kept_columns -%}
        {{ exceptions.raise_compiler_error(model.name ~ " was built before its version columns _version_synced_at and _source_row_number: rebuild staging once with --full-refresh (docs/operations.md#incremental-models-and-full-refresh)") }}
    {%- endif -%}
    {%- set newest = run_query('select max(_loaded_at) from ' ~ this).columns[0].values()[0] -%}
    {%- set watermark = "cast('" ~ (newest if newest is not none else '1900-01-01 00:00:00') ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set dates = [] -%}
    {%- if provenance -%}
        {%- set manifest = adapter.get_relation(database=target.database, schema='audit', identifier='load_manifest') -%}
        {%- set query -%}
            select distinct kept._extract_date from {{ this }} as kept
            where kept._extract_date in (
                select _extract_date from {{ raw }} where _loaded_at > {{ watermark }}
                {%- if manifest is not none %}
                union
                select extract_date from {{ manifest }}
                where system = '{{ node.source_name }}' and table_name = '{{ node.name }}'
                    and status in ('loaded', 'replaced') and loaded_at > {{ watermark }}
                {%- endif %}
            )
            order by 1
        {%- endset -%}
        {%- for day in run_query(query).columns[0].values() -%}
            {%- do dates.append("cast('" ~ day ~ "' as date)") -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return({
        'loaded_at': '_loaded_at' if provenance else synced,
        'watermark': watermark,
        'redelivered_dates': dates,
    }) }}
{%- endmacro %}

{#- The lower-case column names of each relation in `relations` (a list of lists, in order; empty for
    a relation that does not exist). -#}
{% macro relation_column_names(relations) -%}
    {{ return(adapter.dispatch('relation_column_names')(relations)) }}
{%- endmacro %}

{% macro default__relation_column_names(relations) -%}
    {%- set names = [] -%}
    {%- for relation in relations -%}
        {%- do names.append(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- DuckDB: one catalog query for all the relations instead of a DESCRIBE per relation (each
    `adapter.get_columns_in_relation` also builds a whole macro context in dbt, about 8 ms of CPU;
    docs/decisions.md#incremental-models). Names compare case-insensitively, as DuckDB resolves them. -#}
{% macro duckdb__relation_column_names(relations) -%}
    {%- set query -%}
        select relation_index, lower(column_name) as column_name
        from duckdb_columns() as c
        inner join (
            {%- for relation in relations %}
            select {{ loop.index0 }} as relation_index, lower('{{ relation.database or target.database }}') as db,
                lower('{{ relation.schema }}') as sch, lower('{{ relation.identifier }}') as tbl
            {{- ' union all' if not loop.last }}
            {%- endfor %}
        ) as wanted
            on lower(c.database_name) = wanted.db and lower(c.schema_name) = wanted.sch and lower(c.table_name) = wanted.tbl
        order by relation_index, c.column_index
    {%- endset -%}
    {%- set names = [] -%}
    {%- for relation in relations -%}
        {%- do names.append([]) -%}
    {%- endfor -%}
    {%- for row in run_query(query).rows -%}
        {%- do names[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- The re-delivered extract dates an incremental run's SQL was compiled with, written into that SQL
    as a comment (`redelivered_dates_marker`) so that the model's pre-hook, rendered a moment later
    in the same node with nothing written in between, reads them instead of asking the database
    again (`redelivered_dates_compiled`: none when the compiled SQL has no such comment). -#}
{% macro redelivered_dates_marker(dates) -%}
    /* redelivered extract dates: {{ dates | map('replace', "cast('", '') | map('replace', "' as date)", '') | join(' ') if dates else 'none' }} */
{%- endmacro %}

{% macro redelivered_dates_compiled() -%}
    {%- set found = modules.re.search('/[*] redelivered extract dates: ([0-9 -]+|none) [*]/', compiled_code or '') -%}
    {%- if found is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set dates = [] -%}
    {%- for day in found.group(1).split() if day != 'none' -%}
        {%- do dates.append("cast('" ~ day ~ "' as date)") -%}
    {%- endfor -%}
    {{ return(dates) }}
{%- endmacro %}

{#- The version columns an incremental staging table keeps (last in its final select): the kept
    version's extract date, load time (sync time for a connector's own tables), and the rest of its
    place in the version rule (sync time, file row), which an incremental run ranks new rows with. -#}
{% macro version_columns(synced='_fivetran_synced') -%}
    _extract_date,
        {{ raw_loaded_at(synced) }} as _loaded_at,
        {{ synced }} as _version_synced_at,
        _source_row_number
{%- endmacro %}

{#-
    Pre-hook of the incremental staging models: before an incremental run, delete the records whose
    kept version came from an extract date (re)loaded since the last build and that have no raw row
    left (a re-delivery withdrew the record's only versions). The raw table and its key come from the
    source whose `meta.staging_model` is this model (the generated sources YAML). No statement at all
    when no kept version is on such a date (the daily case) or the table has no loader provenance (a
    connector's own tables have no re-deliveries). Such a build, and a full build of the model
    (first build, `--full-refresh`), also drops the model's `checked_through`
    (macros/check_scope.sql): its tests read the whole table afterwards, even in a later invocation.
-#}
{% macro delete_withdrawn_records() -%}
    {%- if execute and not is_incremental() -%}
        {%- do reset_checked_through() -%}
    {%- endif -%}
    {%- if execute and is_incremental() -%}
        {%- set redelivered_dates = redelivered_dates_compiled() -%}
        {%- if redelivered_dates is none -%}
            {%- set redelivered_dates = staging_increment().redelivered_dates -%}
        {%- endif -%}
        {%- if redelivered_dates -%}
            {%- do reset_checked_through() -%}
            {%- set node = staging_source_node() -%}
            {%- set raw = source(node.source_name, node.name) -%}
            {%- set raw_keys = node.meta['primary_key'] -%}
            {%- set unique_key = staging_unique_key() -%}
            delete from {{ this }} as kept
            where kept._extract_date in ({{ redelivered_dates | join(', ') }})
                and not exists (
                    select 1 from {{ raw }} as raw_rows
                    where {% for k in raw_keys %}raw_rows.{{ adapter.quote(k) }} = kept.{{ unique_key[loop.index0] }}{{ ' and ' if not loop.last }}{% endfor %}
                )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
