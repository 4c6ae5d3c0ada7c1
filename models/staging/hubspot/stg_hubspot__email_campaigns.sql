{{ config(unique_key='email_campaign_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'email_campaign'),
            get_hubspot_email_campaign_columns() + provenance_columns() + pass_through_columns('hubspot', 'email_campaign'),
            aliases={"type": "email_type"}
        ) }}
    from {{ source('hubspot', 'email_campaign') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as email_campaign_id,
        name as email_campaign_name,
        subject,
        email_type,
        app_name,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'email_campaign') }}
    from latest
)

select * from final
