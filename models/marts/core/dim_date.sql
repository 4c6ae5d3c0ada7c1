{#-
    One row per day from the first day of the year of the earliest date in the data the marts are
    built from (persons created and MQL, marketing touches, campaign delivery days, opportunities
    created and closed, accounts created, MRR months) to one year after the as-of date, with
    calendar and fiscal attributes (docs/metrics.md#calendar). It reads the intermediate and staging
    models the silo marts read, never the marts, so every silo's marts can join to it.
    var('dim_date_start') / var('dim_date_end') override either end. With no dated record at all the
    calendar starts on 1 January of the as-of date's year. The fiscal year starts in
    var('fiscal_year_start_month') and is named by the calendar year in which it ends (FY2025 =
    Feb 2024 - Jan 2025 when the start month is 2).
-#}
{%- set fy_start = var('fiscal_year_start_month', 1) | int -%}
{%- set dated_columns = [
    (ref('int_persons_resolved'), 'created_at'),
    (ref('int_persons_resolved'), 'became_mql_at'),
    (ref('int_marketing_touches_unioned'), 'touched_at'),
    (ref('stg_hubspot__ad_campaign_daily_metrics'), 'metric_date'),
    (ref('int_opportunities_enriched'), 'created_date'),
    (ref('int_opportunities_enriched'), 'close_date'),
    (ref('dim_accounts'), 'created_at'),
    (ref('int_customer_months_classified'), 'month_start'),
] -%}
{%- set end_date = "cast('" ~ var('dim_date_end') ~ "' as date)" if var('dim_date_end', none) else dbt.dateadd('year', 1, as_of_date()) -%}
{%- set start_date = "cast('" ~ var('dim_date_start') ~ "' as date)" if var('dim_date_start', none) else "(select calendar_start from calendar_bounds)" -%}
with

earliest_dates as (
    {% for relation, column in dated_columns -%}
    select min(cast({{ column }} as date)) as earliest_date from {{ relation }}
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

calendar_bounds as (
    select
        cast({{ dbt.date_trunc('year', 'coalesce(min(earliest_date), ' ~ as_of_date() ~ ')') }} as date) as calendar_start
    from earliest_dates
),

spine as (
    {{ date_spine('day', start_date, end_date) }}
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
