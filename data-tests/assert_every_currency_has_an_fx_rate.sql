{#- FX coverage (a blocking data-integrity check): every currency an amount is recorded in has a
    rate in seeds/fx_rates.csv, else its reporting-currency amounts would silently be NULL. One row
    per unknown currency and where it occurs, with how many records. -#}
with currencies as (
    select 'salesforce.opportunity' as found_in, upper(currency) as currency from {{ ref('stg_salesforce__opportunities') }}
    union all
    select 'stripe.invoice', upper(currency) from {{ ref('stg_stripe__invoices') }}
    union all
    select 'stripe.invoice_line_item', upper(currency) from {{ ref('stg_stripe__invoice_line_items') }}
    union all
    select 'stripe.plan', upper(currency) from {{ ref('stg_stripe__plans') }}
    union all
    select 'hubspot.ad_campaign', upper(currency) from {{ ref('stg_hubspot__ad_campaigns') }}
)

select found_in, currency, count(*) as records
from currencies
where currency is not null
    and currency not in (select upper(currency) from {{ ref('fx_rates') }})
group by found_in, currency
