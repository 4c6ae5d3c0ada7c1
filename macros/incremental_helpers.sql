{#-
    Helpers for the incremental intermediate models (docs/decisions.md#incremental-models). Each
    such model is built with dbt's delete+insert on an entity key (an opportunity, a customer): an
    incremental run computes the rows of the affected entities, dbt deletes every stored row of the
    keys those rows carry and inserts them.

    incremental_supported(): whether this target builds those models incrementally (DuckDB,
    PostgreSQL). Spark and Databricks build them as tables: merge by row key cannot remove a row
    that no longer exists, and plain Parquet has no delete.

    affected_key_markers(key, keys_cte): in an incremental run, one marker row per affected key
    (a column or a list of columns, as the model's unique_key; every other column null, the row's
    primary key included), appended to the model's rows with
    `union all`, so that dbt's delete also removes the rows of an entity that has none left (every
    record deleted). The columns and their types are read from {{ this }}.

    delete_key_markers(primary_key): the post-hook removing the marker rows again, in the same
    transaction. The primary keys are surrogate keys, never null on a real row.
-#}
{% macro incremental_supported() -%}
    {{ return(adapter.dispatch('incremental_supported')()) }}
{%- endmacro %}

{% macro default__incremental_supported() -%}
    {{ return(target.type not in ('spark', 'databricks')) }}
{%- endmacro %}

{% macro affected_key_markers(key, keys_cte) -%}
    {{ return(adapter.dispatch('affected_key_markers')(key, keys_cte)) }}
{%- endmacro %}

{% macro default__affected_key_markers(key, keys_cte) -%}
    {%- set keys = ([key] if key is string else key) | map('lower') | list -%}
    select
    {%- for column in adapter.get_columns_in_relation(this) %}
        {% if column.name | lower in keys -%}
            {{ keys_cte }}.{{ column.name | lower }}
        {%- else -%}
            cast(null as {{ column.data_type }})
        {%- endif %} as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ keys_cte }}
{%- endmacro %}

{% macro delete_key_markers(primary_key) -%}
    {{ return(adapter.dispatch('delete_key_markers')(primary_key)) }}
{%- endmacro %}

{% macro default__delete_key_markers(primary_key) -%}
    delete from {{ this }} where {{ primary_key }} is null
{%- endmacro %}

{#- delete_null_key_rows(key): the pre-hook deleting the stored rows whose entity key is null before
    an incremental run rebuilds them all (delete+insert cannot match a null key). -#}
{% macro delete_null_key_rows(key) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key }} is null
    {%- endif -%}
{%- endmacro %}

{#- changed_rows(computed, join_columns, key, compared_columns, output_columns): for the models written by
    difference (int_marketing_touches_unioned, fct_marketing_touches; docs/decisions.md#incremental-models),
    which compute every row and write only what changed. Emits two CTEs, ending in a comma:
    `changed`, the rows of `computed` that are new or differ from the stored row (joined on
    join_columns) in any of compared_columns (nulls compare equal), with output_columns (default:
    join_columns + compared_columns; a column that is a function of compared ones need not be
    compared, and every stored column read makes the join's hash table wider);
    `withdrawn`, the `key` of every stored row with no computed row left (for affected_key_markers).
    One full outer join, so that `computed` is evaluated once. A new or a withdrawn row differs too:
    compared_columns[0] must never be null on a real row (the default's rule; DuckDB's tells them by
    the join's key). -#}
{% macro changed_rows(computed, join_columns, key, compared_columns, output_columns=none) -%}
    {{ return(adapter.dispatch('changed_rows')(computed, join_columns, key, compared_columns, output_columns)) }}
{%- endmacro %}

{% macro default__changed_rows(computed, join_columns, key, compared_columns, output_columns=none) -%}
_changes as (
    select
        {{ computed }}.*,
        _built.{{ key }} as _built_key,
        {{ computed }}.{{ join_columns[0] }} is null as _is_withdrawn
    from {{ computed }}
    full outer join {{ this }} as _built
        on {% for column in join_columns %}{{ computed }}.{{ column }} = _built.{{ column }}{{ ' and ' if not loop.last }}{% endfor %}
    where {% for column in compared_columns %}{{ computed }}.{{ column }} is distinct from _built.{{ column }}{{ ' or ' if not loop.last }}{% endfor %}
),

{{ changed_rows_split(key, output_columns or (join_columns + compared_columns)) }}
{%- endmacro %}

{#- DuckDB: the stored side of the join carries one 64-bit hash of the compared columns instead of
    the columns (scale 100: the touches' comparison 5.2 CPU s against 7.1, the mart's 2.6-3.3 against
    5.4-6.1; docs/decisions.md#incremental-models). A row whose values changed but whose hash did not
    is missed: a 64-bit collision, the same limit as publish's fingerprints. `hash` takes the columns
    in order and tells null from every value. A row is new when the stored side has no key, withdrawn
    when the computed side has none (join_columns[0] is never null on a real row). -#}
{% macro duckdb__changed_rows(computed, join_columns, key, compared_columns, output_columns=none) -%}
_built as (
    select {{ (join_columns + [key]) | unique | join(', ') }}, hash({{ compared_columns | join(', ') }}) as _built_hash
    from {{ this }}
),

_changes as (
    select
        {{ computed }}.*,
        _built.{{ key }} as _built_key,
        {{ computed }}.{{ join_columns[0] }} is null as _is_withdrawn
    from {{ computed }}
    full outer join _built
        on {% for column in join_columns %}{{ computed }}.{{ column }} = _built.{{ column }}{{ ' and ' if not loop.last }}{% endfor %}
    where _built.{{ join_columns[0] }} is null
        or {{ computed }}.{{ join_columns[0] }} is null
        or hash({% for column in compared_columns %}{{ computed }}.{{ column }}{{ ', ' if not loop.last }}{% endfor %}) <> _built._built_hash
),

{{ changed_rows_split(key, output_columns or (join_columns + compared_columns)) }}
{%- endmacro %}

{#- the two CTEs both versions of changed_rows end with, from `_changes` (its rows, `_built_key` and
    `_is_withdrawn`): the computed rows to write, and the stored keys with no computed row left -#}
{% macro changed_rows_split(key, output_columns) -%}
changed as (
    select {{ output_columns | join(', ') }}
    from _changes
    where not _is_withdrawn
),

withdrawn as (
    select _built_key as {{ key }}
    from _changes
    where _is_withdrawn
),
{%- endmacro %}

{#- The touches' change log (docs/decisions.md#incremental-models): which touch_ids
    int_marketing_touches_unioned wrote or deleted since marketing.fct_marketing_touches last ran, so
    that the mart, a projection of it, rebuilds only those instead of comparing every touch. A table
    beside the intermediate model (`<model>__changes`, never published): rows (touch_id, null) for
    the touches an incremental run of the intermediate model wrote or withdrew, (null, 'full') when it
    was built in full, and (null, 'mart <checksum>') left by the mart's last run, with the checksum of
    the mart's SQL file. The mart reads only the logged touches when the log holds its own checksum
    and no 'full' row; otherwise (the first run after an upgrade, a full build of the intermediate
    model, a change of the mart's SQL, another adapter) it compares every touch (changed_rows). The
    rows are written in the same transaction as the model's own write. DuckDB only: the keys come
    from dbt-duckdb's temporary relation of the incremental run (its rows, before dbt's
    delete+insert); the other adapters keep no log. -#}
{% macro touch_change_log(touches, consumer='mart') -%}
    {%- set suffix = '__changes' if consumer == 'mart' else '__changes_' ~ consumer -%}
    {{ return(api.Relation.create(database=touches.database, schema=touches.schema, identifier=touches.identifier ~ suffix)) }}
{%- endmacro %}

{#- the consumers of the touches' change log: each has its own copy of the log, which the
    intermediate model's hooks write alike and the consumer empties when it has read it: the mart
    (`__changes`) and attribution (`__changes_attribution`, int_attribution_touches_weighted) -#}
{% macro touch_change_log_consumers() -%}
    {{ return(['mart', 'attribution']) }}
{%- endmacro %}

{#- pre-hook of int_marketing_touches_unioned: the log exists; a build in full logs 'full' -#}
{% macro touch_changes_begin() -%}
    {{ return(adapter.dispatch('touch_changes_begin')()) }}
{%- endmacro %}

{% macro default__touch_changes_begin() -%}
{%- endmacro %}

{% macro duckdb__touch_changes_begin() -%}
    {%- for consumer in touch_change_log_consumers() %}
    create table if not exists {{ touch_change_log(this, consumer) }} (touch_id {{ dbt.type_string() }}, note {{ dbt.type_string() }});
    {%- if not is_incremental() %}
    insert into {{ touch_change_log(this, consumer) }} values (null, 'full');
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- post-hook of int_marketing_touches_unioned: the touch_ids of an incremental run's rows (the
    written touches and the markers of the withdrawn ones); a build in full has no temporary relation -#}
{% macro touch_changes_record() -%}
    {{ return(adapter.dispatch('touch_changes_record')()) }}
{%- endmacro %}

{% macro default__touch_changes_record() -%}
{%- endmacro %}

{% macro duckdb__touch_changes_record() -%}
    {#- dbt names the temporary relation <model>__dbt_tmp<timestamp> (make_temp_relation) -#}
    {%- if execute -%}
        {%- set written = run_query(
            "select table_name from duckdb_tables() where temporary and starts_with(table_name, '"
            ~ this.identifier ~ "__dbt_tmp')"
        ).columns[0].values() -%}
        {%- if written | length > 0 -%}
            {%- for consumer in touch_change_log_consumers() %}
            insert into {{ touch_change_log(this, consumer) }}
            select distinct touch_id, null from (
            {%- for name in written %}
                select touch_id from {{ adapter.quote(name) }}{{ ' union all' if not loop.last }}
            {%- endfor %}
            ) as written;
            {%- endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- in the mart's incremental run: 'log' when the log holds the mart's own checksum and no 'full'
    row, else 'compare' -#}
{% macro touch_changes_mode(touches) -%}
    {{ return(adapter.dispatch('touch_changes_mode')(touches)) }}
{%- endmacro %}

{% macro default__touch_changes_mode(touches) -%}
    {{ return('compare') }}
{%- endmacro %}

{% macro duckdb__touch_changes_mode(touches) -%}
    {%- if not execute -%}
        {{ return('compare') }}
    {%- endif -%}
    {%- set log = touch_change_log(touches) -%}
    {%- set exists = run_query(
        "select count(*) from information_schema.tables where table_catalog = '" ~ log.database
        ~ "' and table_schema = '" ~ log.schema ~ "' and table_name = '" ~ log.identifier ~ "'"
    ).columns[0].values()[0] -%}
    {%- if not exists -%}
        {{ return('compare') }}
    {%- endif -%}
    {%- set counts = run_query(
        "select count(*) filter (where note = 'full'), count(*) filter (where note = 'mart " ~ model.checksum.checksum ~ "') from " ~ log
    ).rows[0] -%}
    {{ return('log' if counts[0] == 0 and counts[1] > 0 else 'compare') }}
{%- endmacro %}

{#- post-hook of the mart: the log is consumed and holds the mart's checksum, in the mart's transaction -#}
{% macro touch_changes_consumed(touches) -%}
    {{ return(adapter.dispatch('touch_changes_consumed')(touches)) }}
{%- endmacro %}

{% macro default__touch_changes_consumed(touches) -%}
{%- endmacro %}

{% macro duckdb__touch_changes_consumed(touches) -%}
    create table if not exists {{ touch_change_log(touches) }} (touch_id {{ dbt.type_string() }}, note {{ dbt.type_string() }});
    delete from {{ touch_change_log(touches) }};
    insert into {{ touch_change_log(touches) }} values (null, 'mart {{ model.checksum.checksum }}');
{%- endmacro %}

{#- Attribution by affected conversions (int_attribution_touches_weighted,
    docs/decisions.md#incremental-models). DuckDB only: the model reads its own copy of the touches'
    change log (touch_change_log(touches, 'attribution')) and keeps the conversions it was built
    from in `<model>__conversions` (attribution_conversions_saved; never published), written by its
    post-hook in the model's transaction. Other adapters build it as a table. -#}
{% macro attribution_incremental_supported() -%}
    {{ return(adapter.dispatch('attribution_incremental_supported')()) }}
{%- endmacro %}

{% macro default__attribution_incremental_supported() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__attribution_incremental_supported() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro attribution_conversions_saved(model) -%}
    {{ return(api.Relation.create(database=model.database, schema=model.schema, identifier=model.identifier ~ '__conversions')) }}
{%- endmacro %}

{#- in attribution's incremental run: 'log' when its copy of the touches' log holds its own checksum
    and no 'full' row and its saved conversions exist, else 'all' (every conversion recomputed) -#}
{% macro attribution_changes_mode(touches) -%}
    {{ return(adapter.dispatch('attribution_changes_mode')(touches)) }}
{%- endmacro %}

{% macro default__attribution_changes_mode(touches) -%}
    {{ return('all') }}
{%- endmacro %}

{% macro duckdb__attribution_changes_mode(touches) -%}
    {%- if not execute -%}
        {{ return('all') }}
    {%- endif -%}
    {%- set log = touch_change_log(touches, 'attribution') -%}
    {%- set saved = attribution_conversions_saved(this) -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_catalog = '" ~ log.database
        ~ "' and table_schema = '" ~ log.schema ~ "' and table_name in ('" ~ log.identifier ~ "', '"
        ~ saved.identifier ~ "')"
    ).columns[0].values()[0] -%}
    {%- if found < 2 -%}
        {{ return('all') }}
    {%- endif -%}
    {%- set counts = run_query(
        "select count(*) filter (where note = 'full'), count(*) filter (where note = 'attribution "
        ~ model.checksum.checksum ~ "') from " ~ log
    ).rows[0] -%}
    {{ return('log' if counts[0] == 0 and counts[1] > 0 else 'all') }}
{%- endmacro %}

{#- post-hook of attribution: the conversions it was built from are saved, and its copy of the
    touches' log is consumed and holds its checksum, in the model's transaction -#}
{% macro attribution_changes_consumed(touches, persons, opportunities) -%}
    {{ return(adapter.dispatch('attribution_changes_consumed')(touches, persons, opportunities)) }}
{%- endmacro %}

{% macro default__attribution_changes_consumed(touches, persons, opportunities) -%}
{%- endmacro %}

{% macro duckdb__attribution_changes_consumed(touches, persons, opportunities) -%}
    create or replace table {{ attribution_conversions_saved(this) }} as
    with
    {{ attribution_conversions(persons, opportunities) }}
    select * from conversions;
    create table if not exists {{ touch_change_log(touches, 'attribution') }} (touch_id {{ dbt.type_string() }}, note {{ dbt.type_string() }});
    delete from {{ touch_change_log(touches, 'attribution') }};
    insert into {{ touch_change_log(touches, 'attribution') }} values (null, 'attribution {{ model.checksum.checksum }}');
{%- endmacro %}
