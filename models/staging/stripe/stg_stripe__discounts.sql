{{ config(unique_key='discount_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'discount'),
            get_stripe_discount_columns() + provenance_columns() + pass_through_columns('stripe', 'discount')
        ) }}
    from {{ source('stripe', 'discount') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as discount_id,
        coupon_id,
        customer_id,
        subscription_id,
        type as discount_type,
        false as is_deleted,
        {{ adapter.quote('start') }} as started_at,
        {{ adapter.quote('end') }} as ends_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'discount') }}
    from latest
)

select * from final
