{#-
    One row per day from var('dim_date_start') to var('dim_date_end') (default: 366 days after the
    as-of date), with calendar and fiscal attributes. The fiscal year starts in var('fiscal_year_start_month') and is named by the
    calendar year in which it ends (FY2025 = Feb 2024 - Jan 2025 when the start month is 2).
-#}
{%- set fy_start = var('fiscal_year_start_month', 1) | int -%}
{%- set end_date = "cast('" ~ var('dim_date_end') ~ "' as date)" if var('dim_date_end', none) else dbt.dateadd('day', 366, as_of_date()) -%}
with

spine as (
    {{ date_spine('day', "cast('" ~ var('dim_date_start', '2020-01-01') ~ "' as date)", end_date) }}
),

parts as (
    select
        cast(date_day as date) as date_day,
        extract(year from date_day) as calendar_year,
        extract(month from date_day) as calendar_month,
        extract(day from date_day) as day_of_month
    from spine
),

final as (
    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast(calendar_year as {{ dbt.type_int() }}) as calendar_year,
        cast(calendar_month as {{ dbt.type_int() }}) as calendar_month,
        cast(floor((calendar_month - 1) / 3) + 1 as {{ dbt.type_int() }}) as calendar_quarter,
        cast(day_of_month as {{ dbt.type_int() }}) as day_of_month,
        cast(calendar_year + case when {{ fy_start }} > 1 and calendar_month >= {{ fy_start }} then 1 else 0 end
            as {{ dbt.type_int() }}) as fiscal_year,
        cast(floor(mod(cast(calendar_month as {{ dbt.type_int() }}) - {{ fy_start }} + 12, 12) / 3) + 1
            as {{ dbt.type_int() }}) as fiscal_quarter,
        cast(mod(cast(calendar_month as {{ dbt.type_int() }}) - {{ fy_start }} + 12, 12) + 1
            as {{ dbt.type_int() }}) as fiscal_month,
        date_day <= {{ as_of_date() }} as is_on_or_before_as_of
    from parts
)

select * from final
