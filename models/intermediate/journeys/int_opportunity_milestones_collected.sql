{#-
    One row per new business opportunity (deal_category = 'new_business',
    docs/metrics.md#deal-categories; soft-deleted records ignored) with the milestones from the deal
    on (docs/metrics.md#funnel, #handoffs): created, closed won or lost, the customer success
    introduction and its owner, the onboarding kickoff and its owner, the Stripe subscription that
    bills the deal, and the first renewal of that subscription. int_person_journeys_assembled joins
    these to the journeys.
-#}
with

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }} where not is_deleted
),

tasks as (
    select * from {{ ref('stg_salesforce__tasks') }} where not is_deleted
),

events as (
    select * from {{ ref('stg_salesforce__events') }} where not is_deleted
),

stripe_subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }} where not is_deleted
),

stripe_customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

subscription_terms as (
    select * from {{ ref('int_subscription_terms_derived') }}
),

new_business as (
    select * from opportunities where deal_category = 'new_business'
),

cs_introductions as (
    select
        new_business.opportunity_id,
        min(coalesce(tasks.activity_at, tasks.created_at)) as cs_introduced_at
    from new_business
    inner join tasks
        on tasks.task_type = 'CS Introduction'
        and tasks.what_id = new_business.opportunity_id
    group by 1
),

cs_introduction_owners as (
    select
        tasks.what_id as opportunity_id,
        min(tasks.owner_id) as cs_owner_id
    from tasks
    inner join cs_introductions
        on tasks.what_id = cs_introductions.opportunity_id
        and coalesce(tasks.activity_at, tasks.created_at) = cs_introductions.cs_introduced_at
    where tasks.task_type = 'CS Introduction'
    group by 1
),

kickoffs as (
    select
        what_id as opportunity_id,
        min(created_at) as onboarded_at,
        min(started_at) as kickoff_at,
        min(owner_id) as kickoff_owner_id
    from events
    where event_type = 'Onboarding Kickoff'
    group by 1
),

subscriptions as (
    select
        stripe_subscriptions.salesforce_opportunity_id as opportunity_id,
        min(stripe_subscriptions.subscription_id) as subscription_id,
        min(stripe_subscriptions.customer_id) as stripe_customer_id,
        min(stripe_subscriptions.started_at) as subscribed_at
    from stripe_subscriptions
    inner join stripe_customers
        on stripe_subscriptions.customer_id = stripe_customers.customer_id
    where stripe_subscriptions.salesforce_opportunity_id is not null
    group by 1
),

first_renewals as (
    select
        subscription_id,
        min(term_end_date) as first_renewal_date
    from subscription_terms
    where renewal_outcome in ('renewed_flat', 'upgraded', 'downgraded')
    group by 1
),

final as (
    select
        new_business.opportunity_id,
        new_business.account_id,
        subscriptions.stripe_customer_id,
        subscriptions.subscription_id,
        new_business.owner_id as opportunity_owner_id,
        cs_introduction_owners.cs_owner_id,
        kickoffs.kickoff_owner_id,
        new_business.is_won,
        new_business.created_at as opportunity_at,
        case when new_business.is_won then cast(new_business.close_date as {{ dbt.type_timestamp() }}) end as closed_won_at,
        case when new_business.is_closed and not new_business.is_won
            then cast(new_business.close_date as {{ dbt.type_timestamp() }}) end as closed_lost_at,
        cs_introductions.cs_introduced_at,
        subscriptions.subscribed_at,
        kickoffs.onboarded_at,
        kickoffs.kickoff_at,
        cast(first_renewals.first_renewal_date as {{ dbt.type_timestamp() }}) as first_renewal_at
    from new_business
    left join cs_introductions
        on new_business.opportunity_id = cs_introductions.opportunity_id
    left join cs_introduction_owners
        on new_business.opportunity_id = cs_introduction_owners.opportunity_id
    left join kickoffs
        on new_business.opportunity_id = kickoffs.opportunity_id
    left join subscriptions
        on new_business.opportunity_id = subscriptions.opportunity_id
    left join first_renewals
        on subscriptions.subscription_id = first_renewals.subscription_id
)

select * from final
