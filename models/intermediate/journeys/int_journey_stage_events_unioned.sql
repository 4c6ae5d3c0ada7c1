{{ config(**by_difference_config('stage_event_id')) }}
{#-
    Every funnel stage reached, one row per journey and stage, in the long shape the
    configuration seeds (funnel_stages, departments, handoff_slas) are joined to. Journeys of kind
    `person` come from int_person_journeys_assembled, journeys of kind `term` (one per subscription term end)
    from int_renewal_terms_matched. Only stages reached on or before the as-of date count.
-#}
{%- set person_stages = [
    ('first_touch', 'first_touch_at', 'hubspot_contact_id', 'cast(null as ' ~ dbt.type_string() ~ ')'),
    ('lead', 'lead_at', 'hubspot_contact_id', 'cast(null as ' ~ dbt.type_string() ~ ')'),
    ('mql', 'mql_at', 'salesforce_lead_id', 'cast(null as ' ~ dbt.type_string() ~ ')'),
    ('sales_accepted', 'sales_accepted_at', 'salesforce_lead_id', 'lead_owner_id'),
    ('qualified', 'qualified_at', 'salesforce_lead_id', 'lead_owner_id'),
    ('opportunity', 'opportunity_at', 'opportunity_id', 'opportunity_owner_id'),
    ('closed_won', 'closed_won_at', 'opportunity_id', 'opportunity_owner_id'),
    ('cs_introduced', 'cs_introduced_at', 'opportunity_id', 'cs_owner_id'),
    ('subscribed', 'subscribed_at', 'subscription_id', 'cast(null as ' ~ dbt.type_string() ~ ')'),
    ('onboarded', 'onboarded_at', 'opportunity_id', 'kickoff_owner_id'),
    ('first_renewal', 'first_renewal_at', 'subscription_id', 'cs_owner_id'),
] -%}
{%- set term_stages = [
    ('renewal_window_opened', 'renewal_window_opens_at', 'customer_success_manager_id'),
    ('renewal_opportunity', 'renewal_opportunity_created_at', 'renewal_owner_id'),
    ('renewal_decided', "case when renewal_outcome <> 'pending' then cast(term_end_date as " ~ dbt.type_timestamp() ~ ") end", 'renewal_owner_id'),
] -%}
with

renewal_terms as (
    select * from {{ ref('int_renewal_terms_matched') }}
),

-- each stage reads the journeys table itself (a CTE read by every stage would be materialised whole)
person_events as (
    {% for stage, at, record, owner in person_stages -%}
    select
        'person' as journey,
        journey_id,
        '{{ stage }}' as stage,
        {{ at }} as stage_at,
        cast({{ record }} as {{ dbt.type_string() }}) as record_id,
        cast({{ owner }} as {{ dbt.type_string() }}) as owner_id
    from {{ ref('int_person_journeys_assembled') }}
    where {{ at }} is not null
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

term_events as (
    {% for stage, at, owner in term_stages -%}
    select
        'term' as journey,
        subscription_term_id as journey_id,
        '{{ stage }}' as stage,
        {{ at }} as stage_at,
        {{ dbt.concat(['subscription_id', "':'", 'cast(term_end_date as ' ~ dbt.type_string() ~ ')']) }} as record_id,
        cast({{ owner }} as {{ dbt.type_string() }}) as owner_id
    from renewal_terms
    where {{ at }} is not null
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

all_events as (
    select * from person_events
    union all
    select * from term_events
),

final as (
    select
        {{ generate_surrogate_key(['journey', 'journey_id', 'stage']) }} as stage_event_id,
        journey,
        journey_id,
        stage,
        stage_at,
        record_id,
        owner_id
    from all_events
    where cast(stage_at as date) <= {{ as_of_date() }}
)

{{ select_by_difference('final', 'stage_event_id') }}
