{#-
    Won deals by product (docs/metrics.md#pricing): list and sold price, the discount, the standard
    tier it equals (seeds/discount_tiers.csv, within 0.01 percentage points) and is_off_policy for
    custom discounts outside the tiers. A product sold above its list price is a premium
    (premium_percent, is_premium; discount 0, no tier, not off policy), never a negative discount.
    Amounts in the deal currency and in USD.
-#}

with

line_items as (
    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
    where not is_deleted
),

opportunities as (
    select * from {{ ref('int_opportunities_enriched') }}
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
        case
            when sold_amount <= list_amount
                then {{ round_half('100 * (1 - sold_amount / nullif(list_amount, 0))', 2) }}
            when list_amount > 0 then 0
        end as discount_percent,
        case
            when sold_amount > list_amount and list_amount > 0
                then {{ round_half('100 * (sold_amount / list_amount - 1)', 2) }}
            when list_amount > 0 then 0
        end as premium_percent,
        sold_amount > list_amount as is_premium
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
        cast(with_discount.premium_percent as decimal(9, 2)) as premium_percent,
        coalesce(with_discount.is_premium, false) as is_premium,
        discount_tiers.discount_tier,
        discount_tiers.discount_tier is null and not coalesce(with_discount.is_premium, false) as is_off_policy
    from with_discount
    inner join opportunities
        on with_discount.opportunity_id = opportunities.opportunity_id
    left join products
        on with_discount.product_id = products.product_id
    left join discount_tiers
        on not coalesce(with_discount.is_premium, false)
        and abs(with_discount.discount_percent - discount_tiers.discount_percent) < 0.01
)

select * from final
