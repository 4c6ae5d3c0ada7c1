{#-
    One row per person journey with the timestamp, record and owner of every funnel stage from
    first touch to first renewal (docs/metrics.md#funnel, #handoffs). A journey is a person
    (int_persons_resolved: HubSpot contacts and Salesforce leads resolved to one person) and the new
    business opportunity (deal_category = 'new_business', docs/metrics.md#deal-categories) their
    lead converted into; won new business opportunities that no lead converted into (e.g.
    reactivations) start their own journey at the opportunity stage. Soft-deleted records are ignored.
-#}
with

persons as (
    select * from {{ ref('int_persons_resolved') }} where not is_deleted
),

marketing_touches as (
    select * from {{ ref('int_marketing_touches_unioned') }}
),

leads as (
    select * from {{ ref('stg_salesforce__leads') }} where not is_deleted
),

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

first_touches as (
    select
        person_id,
        min(touched_at) as first_touch_at
    from marketing_touches
    where person_id is not null
    group by 1
),

first_sales_tasks as (
    select
        who_id as lead_id,
        min(coalesce(activity_at, created_at)) as first_sales_task_at
    from tasks
    where coalesce(task_type, '') <> 'CS Introduction'
    group by 1
),

lead_journeys as (
    select
        persons.person_id as journey_id,
        cast(persons.hubspot_contact_id as {{ dbt.type_bigint() }}) as hubspot_contact_id,
        persons.salesforce_lead_id,
        case
            when persons.hubspot_contact_id is null then null
            when first_touches.first_touch_at is null or persons.created_at < first_touches.first_touch_at
                then persons.created_at
            else first_touches.first_touch_at
        end as first_touch_at,
        case when persons.hubspot_contact_id is not null then persons.created_at end as lead_at,
        persons.became_mql_at as mql_at,
        leads.owner_id as lead_owner_id,
        case
            when first_sales_tasks.first_sales_task_at is null then leads.accepted_at
            when leads.accepted_at is null then first_sales_tasks.first_sales_task_at
            when first_sales_tasks.first_sales_task_at < leads.accepted_at then first_sales_tasks.first_sales_task_at
            else leads.accepted_at
        end as sales_accepted_at,
        leads.qualified_at,
        leads.converted_opportunity_id
    from persons
    left join first_touches
        on persons.person_id = first_touches.person_id
    left join leads
        on persons.salesforce_lead_id = leads.lead_id
    left join first_sales_tasks
        on leads.lead_id = first_sales_tasks.lead_id
),

new_business as (
    select * from opportunities where deal_category = 'new_business'
),

leadless_won_journeys as (
    select
        new_business.opportunity_id as journey_id,
        cast(null as {{ dbt.type_bigint() }}) as hubspot_contact_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_lead_id,
        cast(null as {{ dbt.type_timestamp() }}) as first_touch_at,
        cast(null as {{ dbt.type_timestamp() }}) as lead_at,
        cast(null as {{ dbt.type_timestamp() }}) as mql_at,
        cast(null as {{ dbt.type_string() }}) as lead_owner_id,
        cast(null as {{ dbt.type_timestamp() }}) as sales_accepted_at,
        cast(null as {{ dbt.type_timestamp() }}) as qualified_at,
        new_business.opportunity_id as converted_opportunity_id
    from new_business
    where new_business.is_won
        and new_business.opportunity_id not in (
            select lead_journeys.converted_opportunity_id
            from lead_journeys
            where lead_journeys.converted_opportunity_id is not null
        )
),

journeys as (
    select * from lead_journeys
    union all
    select * from leadless_won_journeys
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
        journeys.journey_id,
        journeys.hubspot_contact_id,
        journeys.salesforce_lead_id,
        new_business.opportunity_id,
        new_business.account_id,
        subscriptions.stripe_customer_id,
        subscriptions.subscription_id,
        journeys.lead_owner_id,
        new_business.owner_id as opportunity_owner_id,
        cs_introduction_owners.cs_owner_id,
        kickoffs.kickoff_owner_id,
        journeys.first_touch_at,
        journeys.lead_at,
        journeys.mql_at,
        journeys.sales_accepted_at,
        journeys.qualified_at,
        new_business.created_at as opportunity_at,
        case when new_business.is_won then cast(new_business.close_date as {{ dbt.type_timestamp() }}) end as closed_won_at,
        case when new_business.is_closed and not new_business.is_won
            then cast(new_business.close_date as {{ dbt.type_timestamp() }}) end as closed_lost_at,
        cs_introductions.cs_introduced_at,
        subscriptions.subscribed_at,
        kickoffs.onboarded_at,
        kickoffs.kickoff_at,
        cast(first_renewals.first_renewal_date as {{ dbt.type_timestamp() }}) as first_renewal_at
    from journeys
    left join new_business
        on journeys.converted_opportunity_id = new_business.opportunity_id
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
