{{ config(unique_key='user_role_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'user_role'),
            get_salesforce_user_role_columns() + provenance_columns() + pass_through_columns('salesforce', 'user_role')
        ) }}
    from {{ source('salesforce', 'user_role') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as user_role_id,
        name as role_name,
        developer_name as role_developer_name,
        parent_role_id,
        {{ soft_deleted(['_fivetran_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'user_role') }}
    from latest
)

select * from final
