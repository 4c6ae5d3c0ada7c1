{%- set columns = [
    {"name": "id", "datatype": dbt.type_string()},
    {"name": "created", "datatype": dbt.type_timestamp()},
    {"name": "email_campaign_id", "datatype": dbt.type_bigint()},
    {"name": "recipient", "datatype": dbt.type_string()},
    {"name": "type", "datatype": dbt.type_string(), "quote": true, "alias": "event_type"},
] + provenance_columns() -%}

with

source as (
    select
        {{ fill_staging_columns(source('hubspot', 'email_event'), columns) }}
    from {{ source('hubspot', 'email_event') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as email_event_id,
        email_campaign_id,
        {{ normalize_email('recipient') }} as recipient_email,
        upper(event_type) as event_type,
        created as occurred_at,
        _fivetran_synced as synced_at
    from latest
)

select * from final
