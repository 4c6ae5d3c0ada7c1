{#-
    Which Salesforce account each Stripe customer belongs to (docs/metrics.md#identity):
    metadata salesforce_account_id when it names a known account (match_rule
    'salesforce_account_id'), else the one live account whose website domain equals the billing
    email's domain ('email_domain'), else none ('unmatched').
-#}

with

customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

domain_accounts as (
    select website_domain, min(account_id) as account_id
    from accounts
    where not is_deleted and website_domain is not null
    group by website_domain
    having count(*) = 1
),

final as (
    select
        customers.customer_id,
        coalesce(by_id.account_id, domain_accounts.account_id) as account_id,
        case
            when by_id.account_id is not null then 'salesforce_account_id'
            when domain_accounts.account_id is not null then 'email_domain'
            else 'unmatched'
        end as match_rule,
        customers.email_domain,
        customers.created_at,
        customers.is_deleted
    from customers
    left join accounts as by_id
        on customers.salesforce_account_id = by_id.account_id
    left join domain_accounts
        on customers.email_domain = domain_accounts.website_domain
)

select * from final
