{#-
    One row per Stripe customer with the Salesforce account it bills (docs/metrics.md#identity):
    `metadata.salesforce_account_id`, failing that the account whose website domain equals the
    billing email's domain (only when exactly one account has that domain). The rule used is kept.
-#}
with

stripe_customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }} where not is_deleted
),

unique_domains as (
    select
        website_domain,
        min(account_id) as account_id
    from accounts
    where website_domain is not null
    group by 1
    having count(*) = 1
),

final as (
    select
        stripe_customers.customer_id,
        stripe_customers.customer_name,
        stripe_customers.email_domain,
        stripe_customers.currency,
        stripe_customers.is_deleted,
        stripe_customers.created_at,
        coalesce(stripe_customers.salesforce_account_id, unique_domains.account_id) as account_id,
        case
            when stripe_customers.salesforce_account_id is not null then 'stripe_metadata'
            when unique_domains.account_id is not null then 'email_domain'
            else 'unmatched'
        end as account_match_rule
    from stripe_customers
    left join unique_domains
        on stripe_customers.email_domain = unique_domains.website_domain
)

select * from final
