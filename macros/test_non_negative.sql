{#- Generic test: no negative value (an impossible amount: a negative opportunity or invoice). One
    row per offending record, so dbt reports how many. -#}
{% test non_negative(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0
{% endtest %}
