with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'usage_record'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "subscription_item_id", "datatype": dbt.type_string()},
            {"name": "timestamp", "datatype": dbt.type_timestamp(), "quote": true},
            {"name": "quantity", "datatype": dbt.type_bigint()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'usage_record') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as usage_record_id,
        cast(subscription_item_id as {{ dbt.type_string() }}) as subscription_item_id,
        quantity as seats_used,
        false as is_deleted,
        cast("timestamp" as {{ dbt.type_timestamp() }}) as recorded_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
