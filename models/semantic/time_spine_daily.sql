{#- MetricFlow's time spine (models/semantic/_semantic_models.yml): the days of funnel.dim_date. -#}
select date_day
from {{ ref('dim_date') }}
