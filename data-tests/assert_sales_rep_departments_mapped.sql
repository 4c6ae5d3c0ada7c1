{{ config(severity='warn', store_failures=true) }}
{#- CRM users whose department seeds/sales_rep_departments.csv does not map onto
    seeds/departments.csv (docs/metrics.md#sales-reps), grouped by what the mapping could match on,
    with how many users each. They are kept in dim_sales_reps with is_department_mapped = false. -#}
select
    role_developer_name,
    role_name,
    department as user_department,
    rep_department,
    count(*) as user_count
from {{ ref('dim_sales_reps') }}
where not is_department_mapped and not is_deleted
group by role_developer_name, role_name, department, rep_department
