{{ config(unique_key='lead_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'lead'),
            get_salesforce_lead_columns() + provenance_columns() + pass_through_columns('salesforce', 'lead')
        ) }}
    from {{ source('salesforce', 'lead') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as lead_id,
        {{ normalize_email('email') }} as email,
        {{ email_domain('email') }} as email_domain,
        first_name,
        last_name,
        company as company_name,
        title,
        phone,
        status as lead_status,
        lead_source,
        owner_id,
        created_date as created_at,
        accepted_date_c as accepted_at,
        qualified_date_c as qualified_at,
        disqualified_date_c as disqualified_at,
        unqualified_reason_c as disqualified_reason,
        coalesce(is_converted, false) as is_converted,
        converted_date,
        nullif(converted_account_id, '') as converted_account_id,
        nullif(converted_contact_id, '') as converted_contact_id,
        nullif(converted_opportunity_id, '') as converted_opportunity_id,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'lead') }}
    from latest
)

select * from final
