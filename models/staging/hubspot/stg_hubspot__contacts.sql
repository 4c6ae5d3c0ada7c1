{{ config(unique_key='contact_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'contact'),
            get_hubspot_contact_columns() + provenance_columns() + pass_through_columns('hubspot', 'contact')
        ) }}
    from {{ source('hubspot', 'contact') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as contact_id,
        {{ normalize_email('property_email') }} as email,
        {{ email_domain('property_email') }} as email_domain,
        property_firstname as first_name,
        property_lastname as last_name,
        property_company as company_name,
        property_jobtitle as job_title,
        property_phone as phone,
        property_createdate as created_at,
        lower(property_lifecyclestage) as lifecycle_stage,
        property_hs_lifecyclestage_marketingqualifiedlead_date as became_mql_at,
        upper(property_hs_analytics_source) as original_source,
        property_hs_analytics_source_data_1 as original_source_detail,
        property_hubspotscore as hubspot_score,
        property_associatedcompanyid as company_id,
        nullif(trim(property_salesforceleadid), '') as salesforce_lead_id,
        nullif(trim(property_salesforcecontactid), '') as salesforce_contact_id,
        {{ soft_deleted(['_fivetran_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'contact') }}
    from latest
)

select * from final
