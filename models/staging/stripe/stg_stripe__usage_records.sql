{{ config(unique_key='usage_record_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'usage_record'),
            get_stripe_usage_record_columns() + provenance_columns() + pass_through_columns('stripe', 'usage_record')
        ) }}
    from {{ source('stripe', 'usage_record') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as usage_record_id,
        subscription_item_id,
        quantity as seats_used,
        false as is_deleted,
        {{ adapter.quote('timestamp') }} as recorded_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'usage_record') }}
    from latest
)

select * from final
