{{ config(unique_key='product_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'product_2'),
            get_salesforce_product_2_columns() + provenance_columns() + pass_through_columns('salesforce', 'product_2')
        ) }}
    from {{ source('salesforce', 'product_2') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as product_id,
        name as product_name,
        product_code,
        family as product_family,
        coalesce(is_active, false) as is_active,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'product_2') }}
    from latest
)

select * from final
