{#-
    Keep the latest version of each record of a connector table: a changed record reappears in a
    later daily extract with a newer `_fivetran_synced`. Ties (exact duplicate rows, re-deliveries)
    are broken by the later extract date and file row, so the result is deterministic.
    Usage: `{{ latest_record('source', 'id') }}` inside a CTE; returns every column of the relation.
-#}
{% macro latest_record(relation, key, synced='_fivetran_synced') -%}
    select ranked.*
    from (
        select
            {{ relation }}.*,
            row_number() over (
                partition by {{ key }}
                order by {{ synced }} desc nulls last, _extract_date desc nulls last, _source_row_number desc nulls last
            ) as _version_rank
        from {{ relation }}
    ) as ranked
    where ranked._version_rank = 1
{%- endmacro %}
