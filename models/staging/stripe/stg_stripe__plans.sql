{{ config(unique_key='plan_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'plan'),
            get_stripe_plan_columns() + provenance_columns() + pass_through_columns('stripe', 'plan')
        ) }}
    from {{ source('stripe', 'plan') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as plan_id,
        product_id,
        nickname as plan_name,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount', 'currency') }} as unit_amount,
        lower({{ adapter.quote('interval') }}) as billing_interval,
        coalesce(interval_count, 1) as interval_count,
        case lower({{ adapter.quote('interval') }})
            when 'year' then 12 * coalesce(interval_count, 1)
            when 'month' then coalesce(interval_count, 1)
        end as interval_months,
        coalesce(active, true) as is_active,
        coalesce(is_deleted, false) as is_deleted,
        created as created_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'plan') }}
    from latest
)

select * from final
