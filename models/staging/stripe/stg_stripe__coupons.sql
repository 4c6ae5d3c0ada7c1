with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'coupon'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "name", "datatype": dbt.type_string()},
            {"name": "percent_off", "datatype": dbt.type_float()},
            {"name": "duration", "datatype": dbt.type_string()},
            {"name": "created", "datatype": dbt.type_timestamp()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'coupon') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as coupon_id,
        name as coupon_name,
        cast(percent_off as {{ dbt.type_float() }}) as percent_off,
        duration,
        false as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
