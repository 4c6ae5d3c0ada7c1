{#-
    Outcome of a subscription term end (docs/metrics.md#renewals), tested in this order: pending
    (term end after the as-of date), churned (no MRR after), upgraded, downgraded (a healthy
    renewal, not a loss), renewed_flat. Arguments are SQL expressions.
-#}
{% macro renewal_outcome(is_pending, mrr_before, mrr_after) -%}
    case
        when {{ is_pending }} then 'pending'
        when {{ mrr_after }} <= 0 then 'churned'
        when {{ mrr_after }} > {{ mrr_before }} then 'upgraded'
        when {{ mrr_after }} < {{ mrr_before }} then 'downgraded'
        else 'renewed_flat'
    end
{%- endmacro %}
