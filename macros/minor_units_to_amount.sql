{#-
    Stripe stores money as integers in the currency's minor unit (cents, pence). Zero-decimal
    currencies (JPY, KRW, ...) have no minor unit. Returns a decimal in the major unit.
-#}
{% macro minor_units_to_amount(amount, currency) -%}
    case
        when lower({{ currency }}) in ('bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf')
            then cast({{ amount }} as {{ dbt.type_numeric() }})
        else cast({{ amount }} as {{ dbt.type_numeric() }}) / 100
    end
{%- endmacro %}
