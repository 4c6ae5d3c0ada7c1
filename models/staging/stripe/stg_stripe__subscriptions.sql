with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'subscription'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "customer_id", "datatype": dbt.type_string()},
            {"name": "status", "datatype": dbt.type_string()},
            {"name": "created", "datatype": dbt.type_timestamp()},
            {"name": "start_date", "datatype": dbt.type_timestamp()},
            {"name": "current_period_start", "datatype": dbt.type_timestamp()},
            {"name": "current_period_end", "datatype": dbt.type_timestamp()},
            {"name": "cancel_at_period_end", "datatype": dbt.type_boolean()},
            {"name": "canceled_at", "datatype": dbt.type_timestamp()},
            {"name": "ended_at", "datatype": dbt.type_timestamp()},
            {"name": "metadata", "datatype": dbt.type_string()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'subscription') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as subscription_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        lower(status) as status,
        {{ json_extract_string('metadata', 'salesforce_opportunity_id') }} as salesforce_opportunity_id,
        coalesce(cancel_at_period_end, false) as is_cancel_at_period_end,
        false as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(start_date as {{ dbt.type_timestamp() }}) as started_at,
        cast(current_period_start as {{ dbt.type_timestamp() }}) as current_period_started_at,
        cast(current_period_end as {{ dbt.type_timestamp() }}) as current_period_ends_at,
        cast(canceled_at as {{ dbt.type_timestamp() }}) as canceled_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
