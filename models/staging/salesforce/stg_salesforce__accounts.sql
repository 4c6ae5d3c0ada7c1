{{ config(unique_key='account_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'account'),
            get_salesforce_account_columns() + provenance_columns() + pass_through_columns('salesforce', 'account'),
            aliases={"type": "account_type"}
        ) }}
    from {{ source('salesforce', 'account') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as account_id,
        name as account_name,
        website,
        {{ url_domain('website') }} as website_domain,
        industry,
        number_of_employees,
        billing_country,
        account_type,
        owner_id,
        customer_success_manager_c as customer_success_manager_id,
        segment_c as segment,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'account') }}
    from latest
)

select * from final
