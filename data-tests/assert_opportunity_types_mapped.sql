{{ config(severity='warn', store_failures=true) }}
{#- Opportunity type values that seeds/opportunity_types.csv does not map (an empty type included),
    with how many opportunities carry each (docs/metrics.md#deal-categories). Their deal category
    is derived; this warning lists them so the seed can be extended. -#}
select
    coalesce(nullif(trim(opportunity_type), ''), '(empty)') as opportunity_type,
    count(*) as opportunity_count
from {{ ref('int_opportunities_enriched') }}
where deal_category_source = 'derived'
group by coalesce(nullif(trim(opportunity_type), ''), '(empty)')
