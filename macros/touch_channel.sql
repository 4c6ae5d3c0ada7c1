{#-
    The marketing channel of a web session that did not come from a known paid campaign, from its
    UTM parameters and referrer (docs/metrics.md#attribution). Values are the channels of seeds/channel_mapping.csv plus 'display'.
-#}
{% macro touch_channel(utm_medium, utm_source, referrer) -%}
    case
        when {{ utm_medium }} in ('cpc', 'ppc', 'paid_search', 'sem') then 'paid_search'
        when {{ utm_medium }} in ('paid_social', 'paidsocial') then 'paid_social'
        when {{ utm_medium }} in ('display', 'banner', 'cpm') then 'display'
        when {{ utm_medium }} = 'email' then 'email'
        when {{ utm_medium }} in ('social', 'organic_social') then 'social'
        when {{ utm_medium }} in ('event', 'events', 'offline') then 'events'
        when {{ utm_medium }} = 'referral' then 'referral'
        when {{ utm_medium }} = 'organic' then 'organic_search'
        when {{ referrer }} is null or trim({{ referrer }}) = '' then 'direct'
        when lower({{ referrer }}) like '%google.%' or lower({{ referrer }}) like '%bing.%'
            or lower({{ referrer }}) like '%duckduckgo.%' then 'organic_search'
        when lower({{ referrer }}) like '%linkedin.%' or lower({{ referrer }}) like '%twitter.%'
            or lower({{ referrer }}) like '%facebook.%' or lower({{ referrer }}) like '%x.com%' then 'social'
        else 'referral'
    end
{%- endmacro %}
