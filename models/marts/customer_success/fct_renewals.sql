{#-
    One row per subscription term end (docs/metrics.md#renewals): when the renewal opportunity was
    created (days before the term end), the outcome and MRR before and after. A downgrade is a
    renewal, not a loss.
-#}
with

renewal_terms as (
    select * from {{ ref('int_renewal_terms_matched') }}
),

final as (
    select
        subscription_term_id,
        subscription_id,
        customer_id,
        account_id,
        customer_success_manager_id,
        term_number,
        term_start_date,
        term_end_date,
        renewal_window_opens_date,
        renewal_opportunity_id,
        renewal_owner_id,
        renewal_opportunity_created_at,
        renewal_created_days_before_term_end,
        mrr_before_usd,
        mrr_after_usd,
        cast(mrr_after_usd - mrr_before_usd as {{ type_money() }}) as mrr_change_usd,
        renewal_outcome,
        renewal_outcome in ('renewed_flat', 'upgraded', 'downgraded') as is_renewed,
        renewal_outcome = 'churned' as is_churned
    from renewal_terms
)

select * from final
