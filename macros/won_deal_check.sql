{#-
    A sales-to-customer-success check model over the won new-business deals of fct_onboarding: one
    row per deal with its keys, the extra onboarding `columns` shown with the flag, and the status
    columns of check_status_columns(is_met, due var('quality_grace_days') days after the close).
    due_date is the day the deal became due (close + var('quality_grace_days')): the recent-window
    floor of checks.yml (recent_days) selects the decided deals whose due_date is in its window.
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
        cast({{ dbt.dateadd('day', var('quality_grace_days'), 'cast(onboarding.closed_at as date)') }} as date) as due_date,
        {%- for column in columns %}
        onboarding.{{ column }},
        {%- endfor %}
        {{ check_status_columns(is_met, won_deal_is_due('onboarding.closed_at')) }}
    from onboarding
)

select * from final
{%- endmacro %}
