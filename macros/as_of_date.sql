{#-
    The data's as-of date ("today" for every current / pending / upcoming rule), from
    `var('as_of_date')`, so results never depend on the day they are computed. When the var is not
    set, the latest Stripe sync date seen in the data is used (never the clock).
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value -%}
        cast('{{ value }}' as date)
    {%- else -%}
        (select cast(max(synced_at) as date) from {{ ref('stg_stripe__invoices') }})
    {%- endif -%}
{%- endmacro %}
