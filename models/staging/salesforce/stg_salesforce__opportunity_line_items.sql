{{ config(unique_key='opportunity_line_item_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'opportunity_line_item'),
            get_salesforce_opportunity_line_item_columns() + provenance_columns() + pass_through_columns('salesforce', 'opportunity_line_item')
        ) }}
    from {{ source('salesforce', 'opportunity_line_item') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as opportunity_line_item_id,
        opportunity_id,
        product_2_id as product_id,
        name as line_item_name,
        product_code,
        quantity,
        list_price,
        unit_price,
        discount as discount_percent,
        total_price,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'opportunity_line_item') }}
    from latest
)

select * from final
