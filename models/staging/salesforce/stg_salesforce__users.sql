{{ config(unique_key='user_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'user'),
            get_salesforce_user_columns() + provenance_columns() + pass_through_columns('salesforce', 'user')
        ) }}
    from {{ source('salesforce', 'user') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as user_id,
        coalesce(name, trim({{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }})) as full_name,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        title,
        department,
        user_role_id,
        manager_id,
        coalesce(is_active, false) as is_active,
        created_date as created_at,
        {{ soft_deleted(['_fivetran_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'user') }}
    from latest
)

select * from final
