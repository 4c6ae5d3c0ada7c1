with

stage_visits as (
    select * from {{ ref('int_opportunity_stage_visits_derived') }}
),

final as (
    select
        {{ generate_surrogate_key(['opportunity_id', 'stage_name']) }} as opportunity_stage_id,
        opportunity_id,
        stage_name,
        min(stage_order) as stage_order,
        max(case when is_mapped_stage then 1 else 0 end) = 1 as is_mapped_stage,
        cast(min(stage_probability) as {{ type_double() }}) as stage_probability,
        count(*) as visit_count,
        min(entered_at) as first_entered_at,
        max(case when is_current_stage then null else exited_at end) as last_exited_at,
        max(case when is_current_stage then 1 else 0 end) = 1 as is_current_stage,
        cast(sum(days_in_stage) as {{ dbt.type_bigint() }}) as days_in_stage
    from stage_visits
    where not coalesce(is_opportunity_deleted, false)
    group by opportunity_id, stage_name
)

select * from final
