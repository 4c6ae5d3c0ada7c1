{#- Per handoff and week handed over (docs/metrics.md#handoffs): volumes, SLA attainment, median hours. -#}
with

handoffs as (
    select * from {{ ref('fct_handoffs') }}
),

handoff_definitions as (
    select * from {{ ref('int_handoff_definitions') }}
),

weekly as (
    select
        handoff,
        handed_week,
        cast(count(*) as {{ dbt.type_bigint() }}) as handed_count,
        cast(sum(case when picked_up_at is not null then 1 else 0 end) as {{ dbt.type_bigint() }}) as picked_up_count,
        cast(sum(case when is_within_sla then 1 else 0 end) as {{ dbt.type_bigint() }}) as within_sla_count,
        cast(sum(case when not is_complete then 1 else 0 end) as {{ dbt.type_bigint() }}) as incomplete_count,
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
        weekly.incomplete_count,
        cast(weekly.median_hours_to_pickup as {{ dbt.type_float() }}) as median_hours_to_pickup,
        handoff_definitions.sla_hours,
        handoff_definitions.target_share,
        cast(weekly.within_sla_count as {{ dbt.type_float() }}) / weekly.handed_count as within_sla_share,
        cast(weekly.within_sla_count as {{ dbt.type_float() }}) / weekly.handed_count >= handoff_definitions.target_share
            as meets_target
    from weekly
    inner join handoff_definitions
        on weekly.handoff = handoff_definitions.handoff
)

select * from final
