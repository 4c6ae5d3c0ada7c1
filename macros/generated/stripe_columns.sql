{#- Generated from revenue_warehouse/contract.py by `warehouse codegen`: do not edit by hand. -#}

{#- raw_stripe.customer: Billing customers. -#}
{% macro get_stripe_customer_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "created", "datatype": dbt.type_timestamp()},
        {"name": "email", "datatype": dbt.type_string()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "description", "datatype": dbt.type_string()},
        {"name": "currency", "datatype": dbt.type_string()},
        {"name": "delinquent", "datatype": dbt.type_boolean()},
        {"name": "livemode", "datatype": dbt.type_boolean()},
        {"name": "metadata", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.product: Billing products. -#}
{% macro get_stripe_product_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "active", "datatype": dbt.type_boolean()},
        {"name": "created", "datatype": dbt.type_timestamp()},
        {"name": "unit_label", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.plan: Plans (recurring prices) per product, currency and interval. -#}
{% macro get_stripe_plan_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "product_id", "datatype": dbt.type_string()},
        {"name": "nickname", "datatype": dbt.type_string()},
        {"name": "amount", "datatype": dbt.type_bigint()},
        {"name": "currency", "datatype": dbt.type_string()},
        {"name": "interval", "datatype": dbt.type_string(), "quote": true},
        {"name": "interval_count", "datatype": dbt.type_bigint()},
        {"name": "active", "datatype": dbt.type_boolean()},
        {"name": "created", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.coupon: Discount coupons. -#}
{% macro get_stripe_coupon_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "name", "datatype": dbt.type_string()},
        {"name": "percent_off", "datatype": type_double()},
        {"name": "duration", "datatype": dbt.type_string()},
        {"name": "created", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.subscription: Subscriptions (one per contract; renewals keep the subscription). -#}
{% macro get_stripe_subscription_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "customer_id", "datatype": dbt.type_string()},
        {"name": "status", "datatype": dbt.type_string()},
        {"name": "created", "datatype": dbt.type_timestamp()},
        {"name": "start_date", "datatype": dbt.type_timestamp()},
        {"name": "current_period_start", "datatype": dbt.type_timestamp()},
        {"name": "current_period_end", "datatype": dbt.type_timestamp()},
        {"name": "cancel_at_period_end", "datatype": dbt.type_boolean()},
        {"name": "canceled_at", "datatype": dbt.type_timestamp()},
        {"name": "ended_at", "datatype": dbt.type_timestamp()},
        {"name": "metadata", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.subscription_item: Subscription items: plan and seat quantity. -#}
{% macro get_stripe_subscription_item_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "subscription_id", "datatype": dbt.type_string()},
        {"name": "plan_id", "datatype": dbt.type_string()},
        {"name": "quantity", "datatype": dbt.type_bigint()},
        {"name": "created", "datatype": dbt.type_timestamp()},
        {"name": "current_period_start", "datatype": dbt.type_timestamp()},
        {"name": "current_period_end", "datatype": dbt.type_timestamp()},
        {"name": "metadata", "datatype": dbt.type_string()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.discount: Coupons applied to subscriptions. -#}
{% macro get_stripe_discount_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "coupon_id", "datatype": dbt.type_string()},
        {"name": "customer_id", "datatype": dbt.type_string()},
        {"name": "subscription_id", "datatype": dbt.type_string()},
        {"name": "start", "datatype": dbt.type_timestamp(), "quote": true},
        {"name": "end", "datatype": dbt.type_timestamp(), "quote": true},
        {"name": "type", "datatype": dbt.type_string(), "quote": true}
    ]) }}
{%- endmacro %}

{#- raw_stripe.invoice: Invoices (minor units). -#}
{% macro get_stripe_invoice_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "is_deleted", "datatype": dbt.type_boolean()},
        {"name": "customer_id", "datatype": dbt.type_string()},
        {"name": "subscription_id", "datatype": dbt.type_string()},
        {"name": "created", "datatype": dbt.type_timestamp()},
        {"name": "currency", "datatype": dbt.type_string()},
        {"name": "number", "datatype": dbt.type_string()},
        {"name": "status", "datatype": dbt.type_string()},
        {"name": "billing_reason", "datatype": dbt.type_string()},
        {"name": "subtotal", "datatype": dbt.type_bigint()},
        {"name": "total", "datatype": dbt.type_bigint()},
        {"name": "amount_due", "datatype": dbt.type_bigint()},
        {"name": "amount_paid", "datatype": dbt.type_bigint()},
        {"name": "period_start", "datatype": dbt.type_timestamp()},
        {"name": "period_end", "datatype": dbt.type_timestamp()},
        {"name": "due_date", "datatype": dbt.type_timestamp()}
    ]) }}
{%- endmacro %}

{#- raw_stripe.invoice_line_item: Invoice lines: what was billed, for which period. -#}
{% macro get_stripe_invoice_line_item_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "invoice_id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "amount", "datatype": dbt.type_bigint()},
        {"name": "discount_amount", "datatype": dbt.type_bigint()},
        {"name": "currency", "datatype": dbt.type_string()},
        {"name": "description", "datatype": dbt.type_string()},
        {"name": "period_start", "datatype": dbt.type_timestamp()},
        {"name": "period_end", "datatype": dbt.type_timestamp()},
        {"name": "plan_id", "datatype": dbt.type_string()},
        {"name": "proration", "datatype": dbt.type_boolean()},
        {"name": "quantity", "datatype": dbt.type_bigint()},
        {"name": "subscription_id", "datatype": dbt.type_string()},
        {"name": "subscription_item_id", "datatype": dbt.type_string()},
        {"name": "type", "datatype": dbt.type_string(), "quote": true}
    ]) }}
{%- endmacro %}

{#- raw_stripe.usage_record: Monthly snapshots of seats in use per subscription item. -#}
{% macro get_stripe_usage_record_columns() -%}
    {{ return([
        {"name": "id", "datatype": dbt.type_string()},
        {"name": "_fivetran_synced", "datatype": dbt.type_timestamp()},
        {"name": "subscription_item_id", "datatype": dbt.type_string()},
        {"name": "timestamp", "datatype": dbt.type_timestamp(), "quote": true},
        {"name": "quantity", "datatype": dbt.type_bigint()}
    ]) }}
{%- endmacro %}
