{{ config(**by_difference_config('person_id')) }}
{#-
    Identity, person level: one row per person across HubSpot contacts, Salesforce leads and
    Salesforce contacts, linked to Stripe through the person's account (docs/metrics.md#identity).
    Attributes come from the person's earliest created, not soft-deleted HubSpot contact; the
    Salesforce lead is the person's earliest created live lead. A person whose records are all
    soft-deleted is kept with is_deleted = true.
-#}

{%- set record_order = 'is_deleted, created_at, record_id' -%}
with

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

live_hubspot_contacts as (
    select cast(contact_id as {{ dbt.type_string() }}) as record_id, became_mql_at
    from {{ ref('stg_hubspot__contacts') }}
    where not is_deleted
),

channel_mapping as (
    select source_value as analytics_source, channel
    from {{ ref('channel_mapping') }}
    where source_field = 'hs_analytics_source'
),

accounts as (
    select * from {{ ref('int_accounts_linked') }}
),

-- each record ranked within its person, system and type (rank 1 is the primary record), with the
-- first MQL time of a live HubSpot contact
ranked_records as (
    select
        person_records.person_id,
        person_records.source_system,
        person_records.record_type,
        person_records.record_id,
        person_records.match_rule,
        person_records.is_deleted,
        person_records.created_at,
        live_hubspot_contacts.became_mql_at,
        row_number() over (
            partition by person_records.person_id, person_records.source_system, person_records.record_type
            order by person_records.is_deleted, person_records.created_at, person_records.record_id
        ) as record_rank
    from {{ ref('int_person_records_matched') }} as person_records
    left join live_hubspot_contacts
        on person_records.source_system = 'hubspot'
        and person_records.record_type = 'contact'
        and person_records.record_id = live_hubspot_contacts.record_id
),

-- one pass over the records per person: the counts and the ids of the primary records (a person is
-- grouped once; the primary records' attributes are joined by record id below). On DuckDB the
-- primary records are ordered aggregates, not the rank above (macros/primary_record_value.sql)
persons as (
    select
        person_id,
        count(*) as record_count,
        sum(case when source_system = 'hubspot' then 1 else 0 end) as hubspot_contact_count,
        sum(case when source_system = 'hubspot' and not is_deleted then 1 else 0 end) as live_hubspot_contact_count,
        min(case when not is_deleted then 0 else 1 end) = 1 as is_deleted,
        {{ primary_record_value('record_id', "source_system = 'hubspot' and record_type = 'contact'", record_order) }}
            as hubspot_record_id,
        {{ primary_record_value('record_id', "source_system = 'salesforce' and record_type = 'lead'", record_order) }}
            as salesforce_lead_record_id,
        {{ primary_record_value('match_rule', "source_system = 'salesforce' and record_type = 'lead'", record_order) }}
            as salesforce_lead_match_rule,
        {{ primary_record_value('record_id', "source_system = 'salesforce' and record_type = 'contact'", record_order) }}
            as salesforce_contact_record_id,
        min(became_mql_at) as became_mql_at
    from ranked_records
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
            else persons.salesforce_lead_match_rule
        end as match_rule,
        persons.record_count,
        persons.hubspot_contact_count,
        primary_contacts.contact_id as hubspot_contact_id,
        primary_leads.lead_id as salesforce_lead_id,
        coalesce(primary_contacts_crm.contact_id, primary_leads.converted_contact_id) as salesforce_contact_id,
        coalesce(primary_contacts_crm.account_id, primary_leads.converted_account_id) as salesforce_account_id,
        accounts.stripe_customer_id,
        primary_contacts.created_at,
        persons.became_mql_at,
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
    left join hubspot_contacts as primary_contacts
        on persons.hubspot_record_id = primary_contacts.record_id
    left join salesforce_leads as primary_leads
        on persons.salesforce_lead_record_id = primary_leads.lead_id
    left join salesforce_contacts as primary_contacts_crm
        on persons.salesforce_contact_record_id = primary_contacts_crm.contact_id
    left join channel_mapping
        on upper(trim(primary_contacts.original_source)) = upper(channel_mapping.analytics_source)
    left join accounts
        on coalesce(primary_contacts_crm.account_id, primary_leads.converted_account_id) = accounts.account_id
)

{{ select_by_difference('final', 'person_id') }}
