{{ config(unique_key='form_submission_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'contact_form_submission'),
            get_hubspot_contact_form_submission_columns() + provenance_columns() + pass_through_columns('hubspot', 'contact_form_submission'),
            aliases={"timestamp": "submitted_at"}
        ) }}
    from {{ source('hubspot', 'contact_form_submission') }}
),

latest as (
    {{ latest_record('source', 'conversion_id') }}
),

final as (
    select
        conversion_id as form_submission_id,
        contact_id,
        form_id,
        submitted_at,
        page_url,
        title as page_title,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'contact_form_submission') }}
    from latest
)

select * from final
