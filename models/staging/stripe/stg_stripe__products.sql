{{ config(unique_key='product_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'product'),
            get_stripe_product_columns() + provenance_columns() + pass_through_columns('stripe', 'product')
        ) }}
    from {{ source('stripe', 'product') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as product_id,
        name as product_name,
        unit_label,
        coalesce(active, true) as is_active,
        coalesce(is_deleted, false) as is_deleted,
        created as created_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'product') }}
    from latest
)

select * from final
