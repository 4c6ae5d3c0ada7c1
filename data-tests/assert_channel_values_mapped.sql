{{ config(severity='warn', store_failures=true) }}
{#- Source values that seeds/channel_mapping.csv does not map, with how many records carry each
    (docs/metrics.md#channel). They stay visible under their own value (is_channel_mapped = false);
    this warning lists them so the seed can be extended. The rows are stored in
    dbt_test__audit.assert_channel_values_mapped. -#}
select
    'utm_medium' as source_field,
    lower(trim(utm_medium)) as source_value,
    count(*) as record_count
from {{ ref('int_marketing_touches_unioned') }}
where not is_channel_mapped
group by lower(trim(utm_medium))

union all

select
    'hs_analytics_source' as source_field,
    upper(trim(original_source)) as source_value,
    count(*) as record_count
from {{ ref('int_persons_resolved') }}
where not is_channel_mapped
group by upper(trim(original_source))
