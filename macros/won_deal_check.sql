{#-
    A sales-to-customer-success check model over the won new-business deals of fct_onboarding: one
    row per deal with its keys, the extra onboarding `columns` shown with the flag, and the status
    columns of check_status_columns(is_met, due var('quality_grace_days') days after the close).
-#}
{% macro won_deal_check(is_met, columns) -%}
with

onboarding as (
    select * from {{ ref('fct_onboarding') }}
),

final as (
    select
        onboarding.opportunity_id as check_key,
        onboarding.opportunity_id,
        onboarding.account_id,
        onboarding.closed_at,
        {%- for column in columns %}
        onboarding.{{ column }},
        {%- endfor %}
        {{ check_status_columns(is_met, won_deal_is_due('onboarding.closed_at')) }}
    from onboarding
)

select * from final
{%- endmacro %}
