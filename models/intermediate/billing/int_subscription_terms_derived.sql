{#-
    One row per subscription term (docs/metrics.md#renewals): annual terms counted from the
    subscription start, for every term that began while the subscription was billed and on or
    before the as-of date; MRR just before and just after the term end, and the outcome.
-#}
{%- set max_terms = 40 -%}
with

subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
),

mrr_lines as (
    select * from {{ ref('int_subscription_lines_normalized') }}
),

term_numbers as (
    {% for n in range(1, max_terms + 1) -%}
    select {{ n }} as term_number{{ ' union all' if not loop.last }}
    {% endfor %}
),

billed as (
    select
        subscription_id,
        max(period_end_date) as last_billed_until
    from mrr_lines
    group by 1
),

terms as (
    select
        subscriptions.subscription_id,
        subscriptions.customer_id,
        subscriptions.salesforce_opportunity_id,
        term_numbers.term_number,
        cast({{ dbt.dateadd('month', '12 * (term_numbers.term_number - 1)', 'subscriptions.started_at') }} as date) as term_start_date,
        cast({{ dbt.dateadd('month', '12 * term_numbers.term_number', 'subscriptions.started_at') }} as date) as term_end_date,
        {{ dbt.dateadd('month', '12 * term_numbers.term_number', 'subscriptions.started_at') }} as term_ends_at
    from subscriptions
    inner join billed
        on subscriptions.subscription_id = billed.subscription_id
    cross join term_numbers
    where not subscriptions.is_deleted
),

active_terms as (
    select
        terms.*,
        {#- MRR before the term end is read on its last day, or on the last billed day if billing has
            not reached it yet (monthly invoices of a term still running at the as-of date). -#}
        case
            when billed.last_billed_until < terms.term_end_date
                then {{ dbt.dateadd('day', -1, 'billed.last_billed_until') }}
            else {{ dbt.dateadd('day', -1, 'terms.term_end_date') }}
        end as last_term_day
    from terms
    inner join billed
        on terms.subscription_id = billed.subscription_id
    where terms.term_start_date < billed.last_billed_until
        and terms.term_start_date <= {{ as_of_date() }}
),

mrr_at_term_end as (
    {#- A line covers day d when period_start <= d < period_end. -#}
    select
        active_terms.subscription_id,
        active_terms.term_number,
        sum(case
            when mrr_lines.period_start_date <= active_terms.last_term_day
                and active_terms.last_term_day < mrr_lines.period_end_date
                then mrr_lines.mrr_usd
        end) as mrr_before_usd,
        sum(case
            when mrr_lines.period_start_date <= active_terms.term_end_date
                and active_terms.term_end_date < mrr_lines.period_end_date
                then mrr_lines.mrr_usd
        end) as mrr_after_usd
    from active_terms
    inner join mrr_lines
        on active_terms.subscription_id = mrr_lines.subscription_id
    group by 1, 2
),

final as (
    select
        {{ generate_surrogate_key(['active_terms.subscription_id', 'active_terms.term_number']) }} as subscription_term_id,
        active_terms.subscription_id,
        active_terms.customer_id,
        active_terms.salesforce_opportunity_id,
        active_terms.term_number,
        active_terms.term_start_date,
        active_terms.term_end_date,
        active_terms.term_ends_at,
        cast(coalesce(mrr_at_term_end.mrr_before_usd, 0) as {{ type_money() }}) as mrr_before_usd,
        {#- the cast outside the case: PostgreSQL drops the scale of a case over null and a decimal -#}
        cast(case
            when active_terms.term_end_date > {{ as_of_date() }} then null
            else coalesce(mrr_at_term_end.mrr_after_usd, 0)
        end as {{ type_money() }}) as mrr_after_usd,
        {{ renewal_outcome(
            'active_terms.term_end_date > ' ~ as_of_date(),
            'coalesce(mrr_at_term_end.mrr_before_usd, 0)',
            'coalesce(mrr_at_term_end.mrr_after_usd, 0)'
        ) }} as renewal_outcome
    from active_terms
    left join mrr_at_term_end
        on active_terms.subscription_id = mrr_at_term_end.subscription_id
        and active_terms.term_number = mrr_at_term_end.term_number
)

select * from final
