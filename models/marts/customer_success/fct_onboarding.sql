{#-
    One row per won new business deal (deal_category, docs/metrics.md#onboarding): closed at, CS introduction,
    billing subscription start, onboarding kickoff and first invoice, days between each and who
    owned each step.
-#}
with

person_journeys as (
    select * from {{ ref('int_person_journeys_assembled') }} where closed_won_at is not null
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }} where not is_deleted
),

first_invoices as (
    select
        subscription_id,
        min(created_at) as first_invoice_at
    from invoices
    where subscription_id is not null
    group by 1
),

final as (
    select
        person_journeys.opportunity_id,
        person_journeys.account_id,
        person_journeys.stripe_customer_id,
        person_journeys.subscription_id,
        person_journeys.opportunity_owner_id as closed_by_owner_id,
        person_journeys.cs_owner_id as cs_introduction_owner_id,
        person_journeys.kickoff_owner_id,
        person_journeys.closed_won_at as closed_at,
        person_journeys.cs_introduced_at,
        person_journeys.subscribed_at,
        person_journeys.kickoff_at,
        first_invoices.first_invoice_at,
        {{ dbt.datediff('person_journeys.closed_won_at', 'person_journeys.cs_introduced_at', 'second') }} / cast(86400 as {{ type_double() }})
            as days_close_to_cs_introduction,
        {{ dbt.datediff('person_journeys.closed_won_at', 'person_journeys.subscribed_at', 'second') }} / cast(86400 as {{ type_double() }})
            as days_close_to_subscription,
        {{ dbt.datediff('person_journeys.closed_won_at', 'person_journeys.kickoff_at', 'second') }} / cast(86400 as {{ type_double() }})
            as days_close_to_kickoff,
        {{ dbt.datediff('person_journeys.closed_won_at', 'first_invoices.first_invoice_at', 'second') }} / cast(86400 as {{ type_double() }})
            as days_close_to_first_invoice,
        person_journeys.cs_introduced_at is not null
            and person_journeys.subscribed_at is not null
            and person_journeys.onboarded_at is not null as is_onboarding_complete
    from person_journeys
    left join first_invoices
        on person_journeys.subscription_id = first_invoices.subscription_id
)

select * from final
