{#-
    Per handoff and calendar month handed over (docs/metrics.md#handoff-sla-monthly): the monthly view
    of fct_handoff_summary's weekly SLA attainment, from the same fct_handoffs rows and definitions:
    counts by status, and attainment over decided instances only (met / decided).
-#}
with

handoffs as (
    select * from {{ ref('fct_handoffs') }}
),

handoff_definitions as (
    select * from {{ ref('int_handoffs_defined') }}
),

monthly as (
    select
        handoff,
        cast({{ dbt.date_trunc('month', 'handed_at') }} as date) as handed_month,
        {{ handoff_status_counts() }}
    from handoffs
    group by 1, 2
),

final as (
    select
        {{ generate_surrogate_key(['monthly.handoff', 'monthly.handed_month']) }} as handoff_month_id,
        monthly.handoff,
        handoff_definitions.from_department,
        handoff_definitions.to_department,
        monthly.handed_month,
        monthly.handed_count,
        monthly.picked_up_count,
        monthly.within_sla_count,
        monthly.pending_count,
        monthly.met_count,
        monthly.breached_count,
        monthly.incomplete_count,
        monthly.decided_count,
        handoff_definitions.sla_hours,
        handoff_definitions.target_share,
        cast(monthly.met_count as {{ type_double() }}) / nullif(monthly.decided_count, 0) as sla_attainment,
        cast(monthly.met_count as {{ type_double() }}) / nullif(monthly.decided_count, 0) >= handoff_definitions.target_share
            as meets_target
    from monthly
    inner join handoff_definitions
        on monthly.handoff = handoff_definitions.handoff
)

select * from final
