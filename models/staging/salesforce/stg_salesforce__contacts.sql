{{ config(unique_key='contact_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'contact'),
            get_salesforce_contact_columns() + provenance_columns() + pass_through_columns('salesforce', 'contact')
        ) }}
    from {{ source('salesforce', 'contact') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as contact_id,
        account_id,
        {{ normalize_email('email') }} as email,
        {{ email_domain('email') }} as email_domain,
        first_name,
        last_name,
        title,
        phone,
        owner_id,
        lead_source,
        created_date as created_at,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'contact') }}
    from latest
)

select * from final
