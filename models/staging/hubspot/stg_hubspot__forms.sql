{{ config(unique_key='form_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'form'),
            get_hubspot_form_columns() + provenance_columns() + pass_through_columns('hubspot', 'form')
        ) }}
    from {{ source('hubspot', 'form') }}
),

latest as (
    {{ latest_record('source', 'guid') }}
),

final as (
    select
        guid as form_id,
        name as form_name,
        form_type,
        created_at,
        updated_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'form') }}
    from latest
)

select * from final
