{{ config(unique_key='subscription_item_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'subscription_item'),
            get_stripe_subscription_item_columns() + provenance_columns() + pass_through_columns('stripe', 'subscription_item')
        ) }}
    from {{ source('stripe', 'subscription_item') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as subscription_item_id,
        subscription_id,
        plan_id,
        quantity as seats_purchased,
        false as is_deleted,
        created as created_at,
        current_period_start as current_period_started_at,
        current_period_end as current_period_ends_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'subscription_item') }}
    from latest
)

select * from final
