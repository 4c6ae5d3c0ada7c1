{#-
    DuckDB version of dbt's `unique` test: the same failing rows, cheaper plans on
    large tables (docs/decisions.md#cheaper-unique-tests-on-duckdb). dbt dispatches
    `test_unique` to `duckdb__test_unique` on DuckDB; every other adapter keeps dbt's own.
-#}

{#- unique: group the 64-bit hashes of the values first (a fixed-width key, cheaper to aggregate
    than a long string), then group the values themselves only among the rows whose hash repeats.
    Equal values have equal hashes, so every duplicate's hash repeats and reaches the second step; a
    hash shared by different values (a collision) reaches it too, where grouping the real values drops
    it. The rows returned are exactly dbt's: each duplicated value with its count. -#}
{% macro duckdb__test_unique(model, column_name) %}
with repeated_hashes as (
    select hash({{ column_name }}) as value_hash
    from {{ model }}
    where {{ column_name }} is not null
    group by hash({{ column_name }})
    having count(*) > 1
)

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where {{ column_name }} is not null
    and hash({{ column_name }}) in (select value_hash from repeated_hashes)
group by {{ column_name }}
having count(*) > 1
{% endmacro %}
