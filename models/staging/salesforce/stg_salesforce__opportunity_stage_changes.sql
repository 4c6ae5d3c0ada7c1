{{ config(unique_key='opportunity_history_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'opportunity_history'),
            get_salesforce_opportunity_history_columns() + provenance_columns() + pass_through_columns('salesforce', 'opportunity_history')
        ) }}
    from {{ source('salesforce', 'opportunity_history') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as opportunity_history_id,
        opportunity_id,
        stage_name,
        created_date as changed_at,
        amount,
        probability,
        close_date,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'opportunity_history') }}
    from latest
)

select * from final
