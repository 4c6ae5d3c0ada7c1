with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'subscription_item'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "subscription_id", "datatype": dbt.type_string()},
            {"name": "plan_id", "datatype": dbt.type_string()},
            {"name": "quantity", "datatype": dbt.type_bigint()},
            {"name": "created", "datatype": dbt.type_timestamp()},
            {"name": "current_period_start", "datatype": dbt.type_timestamp()},
            {"name": "current_period_end", "datatype": dbt.type_timestamp()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'subscription_item') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as subscription_item_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        quantity as seats_purchased,
        false as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(current_period_start as {{ dbt.type_timestamp() }}) as current_period_started_at,
        cast(current_period_end as {{ dbt.type_timestamp() }}) as current_period_ends_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
