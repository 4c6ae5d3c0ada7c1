with

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

user_roles as (
    select * from {{ ref('stg_salesforce__user_roles') }}
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
        case
            when upper(user_roles.role_developer_name) like 'SDR%'
                or lower(user_roles.role_name) like '%sales development%' then 'SDR'
            when upper(user_roles.role_developer_name) like 'AE%'
                or lower(user_roles.role_name) like '%account executive%'
                or lower(user_roles.role_name) like 'sales manager%' then 'AE'
            when upper(user_roles.role_developer_name) like 'CSM%'
                or lower(user_roles.role_name) like '%customer success%' then 'CSM'
            else 'Other'
        end as sales_role,
        user_roles.parent_role_id is null
            or lower(user_roles.role_developer_name) like '%manager%'
            or lower(user_roles.role_name) like '%manager lead%'
            or lower(user_roles.role_name) = 'sales manager' as is_manager,
        users.manager_id,
        managers.full_name as manager_name,
        users.is_active,
        users.created_at,
        users.is_deleted
    from users
    left join user_roles
        on users.user_role_id = user_roles.user_role_id
    left join users as managers
        on users.manager_id = managers.user_id
)

select * from final
