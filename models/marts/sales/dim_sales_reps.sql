{#-
    One row per CRM user (docs/metrics.md#sales-reps). A user is a manager when another user
    reports to them (manager_id) or their role has child roles in the role hierarchy; a flat or
    missing hierarchy makes nobody a manager by role. The rep's department (a key of
    seeds/departments.csv) comes from seeds/sales_rep_departments.csv: the first match on the
    role's developer name, then the role's name, then the user's own department field. A user no
    row matches, or matched to a department the departments seed does not have, is kept with
    is_department_mapped = false and listed by the warn test assert_sales_rep_departments_mapped.
    Names are internal staff names, not customers' personal data.
-#}
with

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

user_roles as (
    select * from {{ ref('stg_salesforce__user_roles') }}
    where not is_deleted
),

rep_departments as (
    select * from {{ ref('sales_rep_departments') }}
),

departments as (
    select * from {{ ref('departments') }}
),

reports as (
    select manager_id, count(*) as direct_reports
    from users
    where manager_id is not null and not is_deleted
    group by manager_id
),

parent_roles as (
    select parent_role_id, count(*) as child_roles
    from user_roles
    where parent_role_id is not null
    group by parent_role_id
),

matched as (
    select
        users.user_id,
        coalesce(by_developer_name.department, by_role_name.department, by_user_department.department)
            as rep_department
    from users
    left join user_roles
        on users.user_role_id = user_roles.user_role_id
    left join rep_departments as by_developer_name
        on by_developer_name.match_field = 'role_developer_name'
        and lower(trim(user_roles.role_developer_name)) = lower(trim(by_developer_name.match_value))
    left join rep_departments as by_role_name
        on by_role_name.match_field = 'role_name'
        and lower(trim(user_roles.role_name)) = lower(trim(by_role_name.match_value))
    left join rep_departments as by_user_department
        on by_user_department.match_field = 'user_department'
        and lower(trim(users.department)) = lower(trim(by_user_department.match_value))
),

final as (
    select
        users.user_id as sales_rep_id,
        users.full_name,
        users.email,
        users.title,
        users.department,
        user_roles.role_name,
        user_roles.role_developer_name,
        matched.rep_department,
        departments.department_name as rep_department_name,
        departments.department is not null as is_department_mapped,
        coalesce(reports.direct_reports, 0) as direct_reports,
        coalesce(reports.direct_reports, 0) > 0 or parent_roles.parent_role_id is not null as is_manager,
        users.manager_id,
        managers.full_name as manager_name,
        users.is_active,
        users.created_at,
        users.is_deleted
    from users
    left join user_roles
        on users.user_role_id = user_roles.user_role_id
    left join matched
        on users.user_id = matched.user_id
    left join departments
        on matched.rep_department = departments.department
    left join reports
        on users.user_id = reports.manager_id
    left join parent_roles
        on users.user_role_id = parent_roles.parent_role_id
    left join users as managers
        on users.manager_id = managers.user_id
)

select * from final
