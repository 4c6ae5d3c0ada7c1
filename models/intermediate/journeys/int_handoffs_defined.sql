{#-
    The handoffs the configuration implies (docs/silos.md): within each journey kind, every
    boundary between consecutive departments in `departments.department_order` is a handoff. The
    from-department hands over at its last stage (highest stage_order) and the to-department picks
    up at its first stage; the handoff's name, SLA and target come from `handoff_slas` by
    (from_department, to_department).
-#}
with

departments as (
    select * from {{ ref('departments') }}
),

funnel_stages as (
    select * from {{ ref('funnel_stages') }}
),

handoff_slas as (
    select * from {{ ref('handoff_slas') }}
),

journey_departments as (
    select
        funnel_stages.journey,
        funnel_stages.department,
        departments.department_order,
        max(funnel_stages.stage_order) as last_stage_order,
        min(funnel_stages.stage_order) as first_stage_order
    from funnel_stages
    inner join departments
        on funnel_stages.department = departments.department
    group by 1, 2, 3
),

boundaries as (
    select
        journey,
        department as from_department,
        last_stage_order as handing_stage_order,
        lead(department) over (partition by journey order by department_order) as to_department,
        lead(first_stage_order) over (partition by journey order by department_order) as receiving_stage_order
    from journey_departments
),

final as (
    select
        handoff_slas.handoff,
        boundaries.journey,
        boundaries.from_department,
        boundaries.to_department,
        handing.stage as handing_stage,
        receiving.stage as receiving_stage,
        cast(handoff_slas.sla_hours as {{ type_double() }}) as sla_hours,
        cast(handoff_slas.target_share as {{ type_double() }}) as target_share
    from boundaries
    inner join funnel_stages as handing
        on boundaries.journey = handing.journey
        and boundaries.handing_stage_order = handing.stage_order
    inner join funnel_stages as receiving
        on boundaries.journey = receiving.journey
        and boundaries.receiving_stage_order = receiving.stage_order
    left join handoff_slas
        on boundaries.from_department = handoff_slas.from_department
        and boundaries.to_department = handoff_slas.to_department
    where boundaries.to_department is not null
)

select * from final
