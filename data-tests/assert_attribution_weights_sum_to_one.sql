{#- Every attribution model's weights sum to 1 per lead / opportunity (docs/metrics.md#attribution).
    Returns the conversions where they do not. -#}
select
    conversion_type,
    conversion_id,
    sum(first_touch_weight) as first_touch_total,
    sum(last_touch_weight) as last_touch_total,
    sum(linear_weight) as linear_total,
    sum(w_shaped_weight) as w_shaped_total
from {{ ref('int_attribution_touches_weighted') }}
group by conversion_type, conversion_id
having abs(sum(first_touch_weight) - 1) > 1e-9
    or abs(sum(last_touch_weight) - 1) > 1e-9
    or abs(sum(linear_weight) - 1) > 1e-9
    or abs(sum(w_shaped_weight) - 1) > 1e-9
