{%- set columns = [
    {"name": "conversion_id", "datatype": dbt.type_string()},
    {"name": "contact_id", "datatype": dbt.type_bigint()},
    {"name": "form_id", "datatype": dbt.type_string()},
    {"name": "timestamp", "datatype": dbt.type_timestamp(), "quote": true, "alias": "submitted_at"},
    {"name": "page_url", "datatype": dbt.type_string()},
    {"name": "title", "datatype": dbt.type_string()},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'contact_form_submission'), columns) }}
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
        _fivetran_synced as synced_at
    from latest
)

select * from final
