{#- FX coverage (a blocking data-integrity check): every currency an amount is recorded in has a
    rate in seeds/fx_rates.csv, else its reporting-currency amounts would silently be NULL. One row
    per unknown currency and where it occurs, with how many records. -#}
with currencies as (
    select
        'salesforce.opportunity' as found_in,
        upper(opportunities.currency) as currency
    from {{ ref('stg_salesforce__opportunities') }} as opportunities
    union all
    select
        'stripe.invoice' as found_in,
        upper(invoices.currency) as currency
    from {{ ref('stg_stripe__invoices') }} as invoices
    union all
    select
        'stripe.invoice_line_item' as found_in,
        upper(invoice_lines.currency) as currency
    from {{ ref('stg_stripe__invoice_line_items') }} as invoice_lines
    union all
    select
        'stripe.plan' as found_in,
        upper(plans.currency) as currency
    from {{ ref('stg_stripe__plans') }} as plans
    union all
    select
        'hubspot.ad_campaign' as found_in,
        upper(ad_campaigns.currency) as currency
    from {{ ref('stg_hubspot__ad_campaigns') }} as ad_campaigns
),

rates as (
    select upper(fx_rates.currency) as currency
    from {{ ref('fx_rates') }} as fx_rates
)

select
    currencies.found_in,
    currencies.currency,
    count(*) as records
from currencies
where
    currencies.currency is not null
    and currencies.currency not in (select rates.currency from rates)
group by currencies.found_in, currencies.currency
