{#- MetricFlow's time spine (models/semantic/_semantic__models.yml): the days of core.dim_date. -#}
select date_day
from {{ ref('dim_date') }}
