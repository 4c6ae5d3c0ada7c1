{#-
    Account identity (docs/metrics.md#identity): one row per Salesforce account with the HubSpot
    company and the Stripe customer that are the same company. HubSpot companies match on the
    account's website domain; Stripe customers on metadata salesforce_account_id, falling back to
    the billing email's domain equal to the website domain. The rule used is recorded per link.
    Where several records match, the earliest created live one wins.
-#}

with

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

stripe_customers as (
    select * from {{ ref('int_stripe_customers_matched') }}
),

company_matches as (
    select account_id, company_id
    from (
        select
            accounts.account_id,
            companies.company_id,
            row_number() over (
                partition by accounts.account_id
                order by companies.is_deleted, companies.created_at, companies.company_id
            ) as match_rank
        from accounts
        inner join companies
            on accounts.website_domain = companies.domain
    ) as ranked
    where match_rank = 1
),

customer_matches as (
    select account_id, customer_id, match_rule, customer_count
    from (
        select
            account_id,
            customer_id,
            match_rule,
            count(*) over (partition by account_id) as customer_count,
            row_number() over (
                partition by account_id
                order by is_deleted, created_at, customer_id
            ) as match_rank
        from stripe_customers
        where account_id is not null
    ) as ranked
    where match_rank = 1
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.website_domain,
        accounts.industry,
        accounts.segment,
        accounts.billing_country,
        accounts.account_type,
        accounts.owner_id,
        accounts.customer_success_manager_id,
        accounts.created_at,
        company_matches.company_id as hubspot_company_id,
        case when company_matches.company_id is not null then 'domain' else 'unmatched' end as hubspot_match_rule,
        customer_matches.customer_id as stripe_customer_id,
        coalesce(customer_matches.match_rule, 'unmatched') as stripe_match_rule,
        coalesce(customer_matches.customer_count, 0) as stripe_customer_count,
        accounts.is_deleted
    from accounts
    left join company_matches
        on accounts.account_id = company_matches.account_id
    left join customer_matches
        on accounts.account_id = customer_matches.account_id
)

select * from final
