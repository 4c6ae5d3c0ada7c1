{{ config(unique_key='company_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'company'),
            get_hubspot_company_columns() + provenance_columns() + pass_through_columns('hubspot', 'company')
        ) }}
    from {{ source('hubspot', 'company') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as company_id,
        property_name as company_name,
        {{ url_domain('property_domain') }} as domain,
        property_industry as industry,
        property_numberofemployees as number_of_employees,
        property_country as country,
        property_createdate as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'company') }}
    from latest
)

select * from final
