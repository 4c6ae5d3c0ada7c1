{#-
    Won deals by product (docs/metrics.md#pricing): list and sold price, the discount, the standard
    tier it equals (seeds/discount_tiers.csv, within 0.01 percentage points) and is_off_policy for
    custom discounts outside the tiers. Amounts in the deal currency and in USD.
-#}

with

line_items as (
    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
    where not is_deleted
),

opportunities as (
    select * from {{ ref('int_opportunities') }}
    where is_won and not is_deleted
),

products as (
    select * from {{ ref('stg_salesforce__products') }}
),

discount_tiers as (
    select * from {{ ref('discount_tiers') }}
),

deal_products as (
    select
        line_items.opportunity_id,
        line_items.product_id,
        sum(line_items.quantity) as quantity,
        sum(line_items.quantity * line_items.list_price) as list_amount,
        sum(line_items.quantity * line_items.unit_price) as sold_amount
    from line_items
    inner join opportunities
        on line_items.opportunity_id = opportunities.opportunity_id
    group by line_items.opportunity_id, line_items.product_id
),

with_discount as (
    select
        deal_products.*,
        {{ round_half('100 * (1 - sold_amount / nullif(list_amount, 0))', 2) }} as discount_percent
    from deal_products
),

final as (
    select
        {{ generate_surrogate_key(['with_discount.opportunity_id', 'with_discount.product_id']) }} as deal_product_id,
        with_discount.opportunity_id,
        with_discount.product_id,
        products.product_name,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.close_date,
        opportunities.currency,
        with_discount.quantity,
        cast(with_discount.list_amount / nullif(with_discount.quantity, 0) as decimal(18, 2)) as list_price,
        cast(with_discount.sold_amount / nullif(with_discount.quantity, 0) as decimal(18, 2)) as sold_price,
        cast(with_discount.list_amount as decimal(18, 2)) as list_amount,
        cast(with_discount.sold_amount as decimal(18, 2)) as sold_amount,
        cast(with_discount.list_amount * opportunities.fx_rate_to_usd as decimal(18, 2)) as list_amount_usd,
        cast(with_discount.sold_amount * opportunities.fx_rate_to_usd as decimal(18, 2)) as sold_amount_usd,
        cast(with_discount.discount_percent as decimal(9, 2)) as discount_percent,
        discount_tiers.discount_tier,
        discount_tiers.discount_tier is null as is_off_policy
    from with_discount
    inner join opportunities
        on with_discount.opportunity_id = opportunities.opportunity_id
    left join products
        on with_discount.product_id = products.product_id
    left join discount_tiers
        on abs(with_discount.discount_percent - discount_tiers.discount_percent) < 0.01
)

select * from final
