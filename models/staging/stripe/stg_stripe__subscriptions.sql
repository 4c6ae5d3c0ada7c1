{{ config(unique_key='subscription_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'subscription'),
            get_stripe_subscription_columns() + provenance_columns() + pass_through_columns('stripe', 'subscription')
        ) }}
    from {{ source('stripe', 'subscription') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as subscription_id,
        customer_id,
        lower(status) as status,
        {{ json_extract_string('metadata', 'salesforce_opportunity_id') }} as salesforce_opportunity_id,
        coalesce(cancel_at_period_end, false) as is_cancel_at_period_end,
        false as is_deleted,
        created as created_at,
        start_date as started_at,
        current_period_start as current_period_started_at,
        current_period_end as current_period_ends_at,
        canceled_at,
        ended_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'subscription') }}
    from latest
)

select * from final
