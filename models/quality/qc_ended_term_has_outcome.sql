{#-
    Handoff check customer_success_to_renewal / ended_term_has_outcome: one row per subscription term
    (customer_success.fct_renewals): does it have an outcome (renewed flat, upgraded, downgraded or
    churned)? Due once the term has ended by the as-of date; due_date (the term end) is what a
    recent-window floor selects on.
-#}
with

renewals as (
    select * from {{ ref('fct_renewals') }}
),

final as (
    select
        {{ dbt.concat(['subscription_id', "':'", 'cast(term_end_date as ' ~ dbt.type_string() ~ ')']) }} as check_key,
        subscription_term_id,
        subscription_id,
        term_end_date,
        cast(term_end_date as date) as due_date,
        renewal_outcome,
        {{ check_status_columns(
            "renewal_outcome in ('renewed_flat', 'upgraded', 'downgraded', 'churned')",
            'term_end_date <= ' ~ as_of_date(),
        ) }}
    from renewals
)

select * from final
