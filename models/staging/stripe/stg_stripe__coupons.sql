{{ config(unique_key='coupon_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'coupon'),
            get_stripe_coupon_columns() + provenance_columns() + pass_through_columns('stripe', 'coupon')
        ) }}
    from {{ source('stripe', 'coupon') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as coupon_id,
        name as coupon_name,
        percent_off,
        duration,
        false as is_deleted,
        created as created_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'coupon') }}
    from latest
)

select * from final
