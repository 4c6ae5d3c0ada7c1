{{ config(unique_key='customer_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('stripe', 'customer'),
            get_stripe_customer_columns() + provenance_columns() + pass_through_columns('stripe', 'customer')
        ) }}
    from {{ source('stripe', 'customer') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as customer_id,
        name as customer_name,
        lower(trim(email)) as email,
        nullif(lower(trim({{ dbt.split_part('trim(email)', "'@'", 2) }})), '') as email_domain,
        description,
        upper(currency) as currency,
        {{ json_extract_string('metadata', 'salesforce_account_id') }} as salesforce_account_id,
        coalesce(delinquent, false) as is_delinquent,
        coalesce(livemode, true) as is_livemode,
        coalesce(is_deleted, false) as is_deleted,
        created as created_at,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('stripe', 'customer') }}
    from latest
)

select * from final
