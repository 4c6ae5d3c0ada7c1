{#-
    Upcoming term ends: terms ending after the as-of date and at most var('renewal_outlook_days')
    (120) days later, with seat utilisation (seats in use at the latest usage snapshot on or before
    the as-of date / seats purchased) and a recommendation (docs/metrics.md#renewal-outlook):
    utilisation >= var('renewal_upgrade_utilisation') (0.9): upgrade; utilisation <
    var('renewal_downgrade_utilisation') (0.7): downgrade (right-size before renewal: a customer not
    using what they bought should not be renewed at that size); otherwise flat; no usage data: flat.
-#}
{%- set outlook_days = var('renewal_outlook_days', 120) -%}
{%- set upgrade_at = var('renewal_upgrade_utilisation', 0.9) -%}
{%- set downgrade_below = var('renewal_downgrade_utilisation', 0.7) -%}
with

renewal_terms as (
    select * from {{ ref('int_renewal_terms_matched') }}
),

subscription_items as (
    select * from {{ ref('stg_stripe__subscription_items') }} where not is_deleted
),

usage_records as (
    select * from {{ ref('stg_stripe__usage_records') }} where not is_deleted
),

upcoming as (
    select *
    from renewal_terms
    where term_end_date > {{ as_of_date() }}
        and term_end_date <= {{ dbt.dateadd('day', outlook_days, as_of_date()) }}
),

latest_usage as (
    select
        subscription_item_id,
        seats_used,
        row_number() over (partition by subscription_item_id order by recorded_at desc, usage_record_id desc) as usage_rank
    from usage_records
    where cast(recorded_at as date) <= {{ as_of_date() }}
),

subscription_seats as (
    select
        subscription_items.subscription_id,
        cast(sum(subscription_items.seats_purchased) as {{ dbt.type_bigint() }}) as seats_purchased,
        cast(sum(latest_usage.seats_used) as {{ dbt.type_bigint() }}) as seats_used
    from subscription_items
    left join latest_usage
        on subscription_items.subscription_item_id = latest_usage.subscription_item_id
        and latest_usage.usage_rank = 1
    group by 1
),

measured as (
    select
        upcoming.*,
        subscription_seats.seats_purchased,
        subscription_seats.seats_used,
        cast(subscription_seats.seats_used as {{ type_double() }})
            / cast(nullif(subscription_seats.seats_purchased, 0) as {{ type_double() }}) as seat_utilisation
    from upcoming
    left join subscription_seats
        on upcoming.subscription_id = subscription_seats.subscription_id
),

final as (
    select
        subscription_term_id,
        subscription_id,
        customer_id,
        account_id,
        customer_success_manager_id,
        term_end_date,
        cast({{ dbt.datediff(as_of_date(), 'term_end_date', 'day') }} as {{ dbt.type_bigint() }}) as days_to_term_end,
        renewal_opportunity_id,
        mrr_before_usd as current_mrr_usd,
        seats_purchased,
        seats_used,
        seat_utilisation,
        case
            when seat_utilisation >= {{ upgrade_at }} then 'upgrade'
            when seat_utilisation < {{ downgrade_below }} then 'downgrade'
            else 'flat'
        end as recommendation
    from measured
)

select * from final
