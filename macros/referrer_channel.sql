{#-
    The channel of a web session that has neither a known paid campaign nor a UTM medium, from its
    referrer (docs/metrics.md#attribution): no referrer is direct, a search engine is
    organic_search, a social network is social, any other site is referral. Sessions with a UTM
    medium are mapped by seeds/channel_mapping.csv (source_field utm_medium) instead.
-#}
{% macro referrer_channel(referrer) -%}
    case
        when {{ referrer }} is null or trim({{ referrer }}) = '' then 'direct'
        when lower({{ referrer }}) like '%google.%' or lower({{ referrer }}) like '%bing.%'
            or lower({{ referrer }}) like '%duckduckgo.%' then 'organic_search'
        when lower({{ referrer }}) like '%linkedin.%' or lower({{ referrer }}) like '%twitter.%'
            or lower({{ referrer }}) like '%facebook.%' or lower({{ referrer }}) like '%x.com%' then 'social'
        else 'referral'
    end
{%- endmacro %}
