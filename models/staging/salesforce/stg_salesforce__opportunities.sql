{{ config(unique_key='opportunity_id') }}

with

source as (
    select
        {{ fill_staging_columns(
            source('salesforce', 'opportunity'),
            get_salesforce_opportunity_columns() + provenance_columns() + pass_through_columns('salesforce', 'opportunity'),
            aliases={"type": "opportunity_type"}
        ) }}
    from {{ source('salesforce', 'opportunity') }}
),

latest as (
    {{ latest_record('source', 'id') }}
),

final as (
    select
        id as opportunity_id,
        account_id,
        name as opportunity_name,
        opportunity_type,
        stage_name,
        amount,
        upper(coalesce(currency_iso_code, '{{ var("reporting_currency", "USD") }}')) as currency,
        probability,
        close_date,
        created_date as created_at,
        cast(created_date as date) as created_date,
        coalesce(is_closed, false) as is_closed,
        coalesce(is_won, false) as is_won,
        owner_id,
        lead_source,
        campaign_id,
        forecast_category,
        loss_reason_c as loss_reason,
        stripe_subscription_id_c as stripe_subscription_id,
        term_end_date_c as term_end_date,
        {{ soft_deleted(['is_deleted']) }} as is_deleted,
        _fivetran_synced as synced_at,
        {{ version_columns() }}{{ pass_through_select('salesforce', 'opportunity') }}
    from latest
)

select * from final
