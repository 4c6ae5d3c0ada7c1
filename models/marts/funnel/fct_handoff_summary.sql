{#-
    Per handoff and week handed over (docs/metrics.md#handoffs): volumes by status, SLA attainment
    over decided instances only (met / (met + breached + incomplete); pending ones are not yet
    decided), median hours to pickup.
-#}
with

handoffs as (
    select * from {{ ref('fct_handoffs') }}
),

handoff_definitions as (
    select * from {{ ref('int_handoffs_defined') }}
),

weekly as (
    select
        handoff,
        handed_week,
        {{ handoff_status_counts() }},
        cast(sum(case when not is_complete then 1 else 0 end) as {{ dbt.type_bigint() }}) as missing_step_count,
        percentile_cont(0.5) within group (order by hours_to_pickup) as median_hours_to_pickup
    from handoffs
    group by 1, 2
),

final as (
    select
        {{ generate_surrogate_key(['weekly.handoff', 'weekly.handed_week']) }} as handoff_week_id,
        weekly.handoff,
        handoff_definitions.from_department,
        handoff_definitions.to_department,
        weekly.handed_week,
        weekly.handed_count,
        weekly.picked_up_count,
        weekly.within_sla_count,
        weekly.pending_count,
        weekly.met_count,
        weekly.breached_count,
        weekly.incomplete_count,
        weekly.decided_count,
        weekly.missing_step_count,
        cast(weekly.median_hours_to_pickup as {{ type_double() }}) as median_hours_to_pickup,
        handoff_definitions.sla_hours,
        handoff_definitions.target_share,
        cast(weekly.met_count as {{ type_double() }}) / nullif(weekly.decided_count, 0) as within_sla_share,
        cast(weekly.met_count as {{ type_double() }}) / nullif(weekly.decided_count, 0) >= handoff_definitions.target_share
            as meets_target
    from weekly
    inner join handoff_definitions
        on weekly.handoff = handoff_definitions.handoff
)

select * from final
