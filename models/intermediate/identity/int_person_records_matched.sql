{{ config(**by_difference_config('person_record_id')) }}
{#-
    Identity, record level: every HubSpot contact, Salesforce lead and Salesforce contact with the
    person it belongs to and the rule that matched it. docs/metrics.md#identity.
    A person's key is, in order:
      1. salesforce_id_sync: a HubSpot contact's synced Salesforce lead/contact id ties the records;
         the key is the HubSpot contact's normalised email (or the synced record's when it has none);
      2. lead_conversion: a Salesforce contact a lead converted into takes the lead's key;
      3. email: otherwise the normalised email;
      4. unmatched: a record with no email and no link is a person of its own.
    Email case/whitespace variants collapse because the email is normalised in staging.
-#}

with

-- only the columns used below: the CTEs read more than once are materialised whole
hubspot_contacts as (
    select contact_id, email, salesforce_lead_id, salesforce_contact_id, created_at, is_deleted
    from {{ ref('stg_hubspot__contacts') }}
),

salesforce_leads as (
    select lead_id, email, converted_contact_id, converted_date, created_at, is_deleted
    from {{ ref('stg_salesforce__leads') }}
),

salesforce_contacts as (
    select contact_id, email, created_at, is_deleted
    from {{ ref('stg_salesforce__contacts') }}
),

-- a HubSpot contact with an email is keyed by it without looking at the records it syncs to; only
-- a contact without one reads the synced lead's or contact's email (two joins for few rows)
hubspot_keyed as (
    select
        contact_id,
        salesforce_lead_id,
        salesforce_contact_id,
        email,
        'email:' || email as person_key,
        'email' as match_rule,
        created_at,
        is_deleted
    from hubspot_contacts
    where email is not null
    union all
    select
        hubspot_contacts.contact_id,
        hubspot_contacts.salesforce_lead_id,
        hubspot_contacts.salesforce_contact_id,
        coalesce(synced_lead.email, synced_contact.email) as email,
        case
            when synced_lead.email is not null then 'email:' || synced_lead.email
            when synced_contact.email is not null then 'email:' || synced_contact.email
            else 'hubspot_contact:' || cast(hubspot_contacts.contact_id as {{ dbt.type_string() }})
        end as person_key,
        case
            when coalesce(synced_lead.email, synced_contact.email) is not null then 'salesforce_id_sync'
            else 'unmatched'
        end as match_rule,
        hubspot_contacts.created_at,
        hubspot_contacts.is_deleted
    from hubspot_contacts
    left join salesforce_leads as synced_lead
        on hubspot_contacts.salesforce_lead_id = synced_lead.lead_id
    left join salesforce_contacts as synced_contact
        on hubspot_contacts.salesforce_contact_id = synced_contact.contact_id
    where hubspot_contacts.email is null
),

-- one HubSpot contact per synced Salesforce record: the earliest created live one wins; its key
-- is the key of the Salesforce record it syncs to
hubspot_sync_links as (
    select
        salesforce_record_id,
        person_key
    from (
        select
            synced.salesforce_record_id,
            synced.person_key,
            row_number() over (
                partition by synced.salesforce_record_id
                order by synced.is_deleted, synced.created_at, synced.contact_id
            ) as link_rank
        from (
            select salesforce_lead_id as salesforce_record_id, person_key, contact_id, is_deleted, created_at
            from hubspot_keyed
            where salesforce_lead_id is not null
            union all
            select salesforce_contact_id as salesforce_record_id, person_key, contact_id, is_deleted, created_at
            from hubspot_keyed
            where salesforce_contact_id is not null
        ) as synced
    ) as ranked
    where link_rank = 1
),

lead_keyed as (
    select
        'salesforce' as source_system,
        'lead' as record_type,
        salesforce_leads.lead_id as record_id,
        salesforce_leads.email,
        case
            when hubspot_sync_links.salesforce_record_id is not null then hubspot_sync_links.person_key
            when salesforce_leads.email is not null then 'email:' || salesforce_leads.email
            else 'salesforce_lead:' || salesforce_leads.lead_id
        end as person_key,
        case
            when hubspot_sync_links.salesforce_record_id is not null then 'salesforce_id_sync'
            when salesforce_leads.email is not null then 'email'
            else 'unmatched'
        end as match_rule,
        salesforce_leads.created_at,
        salesforce_leads.is_deleted
    from salesforce_leads
    left join hubspot_sync_links
        on salesforce_leads.lead_id = hubspot_sync_links.salesforce_record_id
),

-- the lead a Salesforce contact was converted from (latest conversion wins)
lead_conversions as (
    select
        converted_contact_id,
        person_key
    from (
        select
            salesforce_leads.converted_contact_id,
            lead_keyed.person_key,
            row_number() over (
                partition by salesforce_leads.converted_contact_id
                order by salesforce_leads.is_deleted asc, salesforce_leads.converted_date desc, salesforce_leads.lead_id asc
            ) as conversion_rank
        from salesforce_leads
        inner join lead_keyed
            on salesforce_leads.lead_id = lead_keyed.record_id
        where salesforce_leads.converted_contact_id is not null
    ) as ranked
    where conversion_rank = 1
),

contact_keyed as (
    select
        'salesforce' as source_system,
        'contact' as record_type,
        salesforce_contacts.contact_id as record_id,
        salesforce_contacts.email,
        case
            when hubspot_sync_links.salesforce_record_id is not null then hubspot_sync_links.person_key
            when lead_conversions.converted_contact_id is not null then lead_conversions.person_key
            when salesforce_contacts.email is not null then 'email:' || salesforce_contacts.email
            else 'salesforce_contact:' || salesforce_contacts.contact_id
        end as person_key,
        case
            when hubspot_sync_links.salesforce_record_id is not null then 'salesforce_id_sync'
            when lead_conversions.converted_contact_id is not null then 'lead_conversion'
            when salesforce_contacts.email is not null then 'email'
            else 'unmatched'
        end as match_rule,
        salesforce_contacts.created_at,
        salesforce_contacts.is_deleted
    from salesforce_contacts
    left join hubspot_sync_links
        on salesforce_contacts.contact_id = hubspot_sync_links.salesforce_record_id
    left join lead_conversions
        on salesforce_contacts.contact_id = lead_conversions.converted_contact_id
),

unioned as (
    select
        'hubspot' as source_system,
        'contact' as record_type,
        cast(contact_id as {{ dbt.type_string() }}) as record_id,
        email,
        person_key,
        match_rule,
        created_at,
        is_deleted
    from hubspot_keyed
    union all
    select * from lead_keyed
    union all
    select * from contact_keyed
),

final as (
    select
        {{ generate_surrogate_key(['source_system', 'record_type', 'record_id']) }} as person_record_id,
        {{ generate_surrogate_key(['person_key']) }} as person_id,
        source_system,
        record_type,
        record_id,
        email,
        person_key,
        match_rule,
        created_at,
        is_deleted
    from unioned
)

{{ select_by_difference('final', 'person_record_id') }}
