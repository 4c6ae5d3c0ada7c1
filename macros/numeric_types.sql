{#-
    Fixed-point money (docs/metrics.md#numeric-types), the same on every adapter (8-byte floats for
    ratios: type_double() in portable_numbers.sql):
    - type_money(): decimal(18, 2), amounts in a currency's major unit (dbt.type_numeric() is
      numeric(28, 6) on most adapters; Spark has no numeric without precision).
    - money_divide(amount, multiplier, divisor): amount x multiplier / divisor rounded half away
      from zero to the cent, exactly (no float step), as type_money(). `amount` is a fixed-point
      expression with at most 8 decimals; multiplier and divisor are positive integer expressions.
-#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    {{ return(api.Column.numeric_type('decimal', 18, 2)) }}
{%- endmacro %}

{% macro money_divide(amount, multiplier, divisor) -%}
    {{ return(adapter.dispatch('money_divide')(amount, multiplier, divisor)) }}
{%- endmacro %}

{% macro default__money_divide(amount, multiplier, divisor) -%}
    {#- PostgreSQL and Spark divide decimals as decimals and round half away from zero / half up.
        Multiplier and divisor are made integers, so a float argument (a unit test fixture column)
        cannot turn the product into a float (PostgreSQL has no round(double, int)). -#}
    cast(
        round(
            cast({{ amount }} as decimal(38, 10)) * cast({{ multiplier }} as {{ dbt.type_bigint() }})
            / cast({{ divisor }} as {{ dbt.type_bigint() }}),
            2
        ) as {{ type_money() }}
    )
{%- endmacro %}

{% macro duckdb__money_divide(amount, multiplier, divisor) -%}
    {#- DuckDB divides decimals as doubles, so divide in integers of 1e-8: cents =
        sign(x) * floor((2 |x| m + d 1e6) / (2 d 1e6)), x in 1e-8 units. -#}
    cast(
        cast(
            sign(cast(cast({{ amount }} as decimal(38, 8)) * 100000000 as hugeint))
            * ((abs(cast(cast({{ amount }} as decimal(38, 8)) * 100000000 as hugeint)) * 2 * ({{ multiplier }}) + ({{ divisor }}) * 1000000)
                // (2 * ({{ divisor }}) * 1000000))
            as decimal(18, 0)
        ) * cast(0.01 as decimal(3, 2))
        as {{ type_money() }}
    )
{%- endmacro %}
