{#-
    Identity, person level: one row per person across HubSpot contacts, Salesforce leads and
    Salesforce contacts, linked to Stripe through the person's account (docs/metrics.md#identity).
    Attributes come from the person's earliest created, not soft-deleted HubSpot contact; the
    Salesforce lead is the person's earliest created live lead. A person whose records are all
    soft-deleted is kept with is_deleted = true.
-#}

with

-- only the columns used below: the CTEs read more than once are materialised whole
person_records as (
    select person_id, person_key, source_system, record_type, record_id, match_rule, created_at, is_deleted
    from {{ ref('int_person_records_matched') }}
),

hubspot_contacts as (
    select
        cast(contact_id as {{ dbt.type_string() }}) as record_id,
        contact_id,
        email,
        email_domain,
        first_name,
        last_name,
        company_name,
        created_at,
        became_mql_at,
        original_source,
        is_deleted
    from {{ ref('stg_hubspot__contacts') }}
),

salesforce_leads as (
    select
        lead_id,
        email,
        email_domain,
        first_name,
        last_name,
        company_name,
        converted_contact_id,
        converted_account_id
    from {{ ref('stg_salesforce__leads') }}
),

salesforce_contacts as (
    select contact_id, email, email_domain, first_name, last_name, account_id
    from {{ ref('stg_salesforce__contacts') }}
),

channel_mapping as (
    select source_value as analytics_source, channel
    from {{ ref('channel_mapping') }}
    where source_field = 'hs_analytics_source'
),

accounts as (
    select * from {{ ref('int_accounts_linked') }}
),

ranked_records as (
    select
        person_records.*,
        row_number() over (
            partition by person_id, source_system, record_type
            order by is_deleted, created_at, record_id
        ) as record_rank
    from person_records
),

-- the person's HubSpot contacts (one join serves the primary contact and the first MQL time)
person_hubspot_contacts as (
    select
        ranked_records.person_id,
        ranked_records.record_rank,
        hubspot_contacts.*
    from ranked_records
    inner join hubspot_contacts
        on ranked_records.record_id = hubspot_contacts.record_id
    where ranked_records.source_system = 'hubspot'
        and ranked_records.record_type = 'contact'
),

primary_contacts as (
    select *
    from person_hubspot_contacts
    where record_rank = 1
),

primary_leads as (
    select
        ranked_records.person_id,
        ranked_records.match_rule,
        salesforce_leads.*
    from ranked_records
    inner join salesforce_leads
        on ranked_records.record_id = salesforce_leads.lead_id
    where ranked_records.source_system = 'salesforce'
        and ranked_records.record_type = 'lead'
        and ranked_records.record_rank = 1
),

primary_contacts_crm as (
    select
        ranked_records.person_id,
        salesforce_contacts.*
    from ranked_records
    inner join salesforce_contacts
        on ranked_records.record_id = salesforce_contacts.contact_id
    where ranked_records.source_system = 'salesforce'
        and ranked_records.record_type = 'contact'
        and ranked_records.record_rank = 1
),

-- the first MQL time over the person's live HubSpot contacts
first_mql as (
    select
        person_id,
        min(became_mql_at) as became_mql_at
    from person_hubspot_contacts
    where not is_deleted
    group by person_id
),

persons as (
    select
        person_id,
        min(person_key) as person_key,
        count(*) as record_count,
        sum(case when source_system = 'hubspot' then 1 else 0 end) as hubspot_contact_count,
        sum(case when source_system = 'hubspot' and not is_deleted then 1 else 0 end) as live_hubspot_contact_count,
        min(case when not is_deleted then 0 else 1 end) = 1 as is_deleted
    from person_records
    group by person_id
),

final as (
    select
        persons.person_id,
        coalesce(primary_contacts.email, primary_leads.email, primary_contacts_crm.email) as email,
        coalesce(primary_contacts.email_domain, primary_leads.email_domain, primary_contacts_crm.email_domain) as email_domain,
        coalesce(primary_contacts.first_name, primary_leads.first_name, primary_contacts_crm.first_name) as first_name,
        coalesce(primary_contacts.last_name, primary_leads.last_name, primary_contacts_crm.last_name) as last_name,
        coalesce(primary_contacts.company_name, primary_leads.company_name) as company_name,
        case
            when primary_contacts.contact_id is null then 'salesforce_only'
            when primary_leads.lead_id is null then 'hubspot_only'
            else primary_leads.match_rule
        end as match_rule,
        persons.record_count,
        persons.hubspot_contact_count,
        primary_contacts.contact_id as hubspot_contact_id,
        primary_leads.lead_id as salesforce_lead_id,
        coalesce(primary_contacts_crm.contact_id, primary_leads.converted_contact_id) as salesforce_contact_id,
        coalesce(primary_contacts_crm.account_id, primary_leads.converted_account_id) as salesforce_account_id,
        accounts.stripe_customer_id,
        primary_contacts.created_at,
        first_mql.became_mql_at,
        primary_contacts.original_source,
        case
            when channel_mapping.channel is not null then channel_mapping.channel
            when nullif(trim(primary_contacts.original_source), '') is null then 'unknown'
            else lower(trim(primary_contacts.original_source))
        end as channel,
        channel_mapping.channel is not null
            or nullif(trim(primary_contacts.original_source), '') is null as is_channel_mapped,
        primary_contacts.is_deleted as is_hubspot_contact_deleted,
        persons.live_hubspot_contact_count > 0 as is_lead,
        persons.is_deleted
    from persons
    left join primary_contacts
        on persons.person_id = primary_contacts.person_id
    left join primary_leads
        on persons.person_id = primary_leads.person_id
    left join primary_contacts_crm
        on persons.person_id = primary_contacts_crm.person_id
    left join first_mql
        on persons.person_id = first_mql.person_id
    left join channel_mapping
        on upper(trim(primary_contacts.original_source)) = upper(channel_mapping.analytics_source)
    left join accounts
        on coalesce(primary_contacts_crm.account_id, primary_leads.converted_account_id) = accounts.account_id
)

select * from final
