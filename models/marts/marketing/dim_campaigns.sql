with

ad_campaigns as (
    select * from {{ ref('stg_hubspot__ad_campaigns') }}
),

email_campaigns as (
    select * from {{ ref('stg_hubspot__email_campaigns') }}
),

unioned as (
    select
        'ad' as campaign_type,
        cast(ad_campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        campaign_name,
        campaign_channel,
        ad_network,
        utm_source,
        utm_medium,
        utm_campaign,
        start_date,
        end_date,
        currency,
        is_deleted
    from ad_campaigns
    union all
    select
        'email' as campaign_type,
        cast(email_campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        email_campaign_name as campaign_name,
        'email' as campaign_channel,
        cast(null as {{ dbt.type_string() }}) as ad_network,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as date) as start_date,
        cast(null as date) as end_date,
        cast(null as {{ dbt.type_string() }}) as currency,
        false as is_deleted
    from email_campaigns
),

final as (
    select
        {{ generate_surrogate_key(['campaign_type', 'source_campaign_id']) }} as campaign_id,
        *
    from unioned
)

select * from final
