{{ config(unique_key='owner_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('hubspot', 'owner'),
            get_hubspot_owner_columns() + provenance_columns() + pass_through_columns('hubspot', 'owner'),
            aliases={"type": "owner_type"}
        ) }}
    from {{ source('hubspot', 'owner') }}
),

latest as (
    {{ latest_record('source', 'owner_id') }}
),

final as (
    select
        owner_id,
        {{ normalize_email('email') }} as email,
        first_name,
        last_name,
        trim({{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }}) as full_name,
        owner_type,
        created_at,
        updated_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('hubspot', 'owner') }}
    from latest
)

select * from final
