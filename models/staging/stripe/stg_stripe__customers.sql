with

source as (
    select
        {{ fill_staging_columns(source('stripe', 'customer'), [
            {"name": "id", "datatype": dbt.type_string()},
            {"name": "created", "datatype": dbt.type_timestamp()},
            {"name": "email", "datatype": dbt.type_string()},
            {"name": "name", "datatype": dbt.type_string()},
            {"name": "description", "datatype": dbt.type_string()},
            {"name": "currency", "datatype": dbt.type_string()},
            {"name": "delinquent", "datatype": dbt.type_boolean()},
            {"name": "livemode", "datatype": dbt.type_boolean()},
            {"name": "metadata", "datatype": dbt.type_string()},
            {"name": "is_deleted", "datatype": dbt.type_boolean()},
        ] + provenance_columns()) }}
    from {{ source('stripe', 'customer') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as customer_id,
        name as customer_name,
        lower(trim(email)) as email,
        nullif(lower(trim({{ dbt.split_part('trim(email)', "'@'", 2) }})), '') as email_domain,
        description,
        upper(currency) as currency,
        {{ json_extract_string('metadata', 'salesforce_account_id') }} as salesforce_account_id,
        coalesce(delinquent, false) as is_delinquent,
        coalesce(livemode, true) as is_livemode,
        coalesce(is_deleted, false) as is_deleted,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from latest
)

select * from final
