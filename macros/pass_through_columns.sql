{#-
    Custom connector fields kept through staging without editing SQL (Fivetran's pass-through
    pattern). Per raw table, the dbt var `<system>_<table>_pass_through_columns` lists columns the
    contract does not declare, each a name or a dict:
        vars:
          hubspot_contact_pass_through_columns: [property_favourite_colour]
          salesforce_lead_pass_through_columns:
            - {name: region_c, alias: sales_region}
            - {name: score_c, alias: lead_score, datatype: integer, transform_sql: "coalesce(score_c, 0)"}
    `datatype` (default string) is the type the import CTE casts to; `transform_sql` is the expression
    the final CTE selects (default the column itself), `alias` its name (default the column name).
    A listed column the relation lacks comes through as NULL. See docs/bring-your-own-data.md.
-#}
{% macro pass_through_entries(system, table) -%}
    {%- set entries = [] -%}
    {%- for item in var(system ~ '_' ~ table ~ '_pass_through_columns', []) -%}
        {%- do entries.append({"name": item} if item is string else item) -%}
    {%- endfor -%}
    {{ return(entries) }}
{%- endmacro %}

{#- The pass-through columns for the import CTE's fill_staging_columns list. -#}
{% macro pass_through_columns(system, table) -%}
    {%- set columns = [] -%}
    {%- for entry in pass_through_entries(system, table) -%}
        {%- do columns.append({"name": entry["name"], "datatype": entry.get("datatype", dbt.type_string())}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The pass-through columns for the final CTE's select list, each preceded by a comma. -#}
{% macro pass_through_select(system, table) -%}
    {%- for entry in pass_through_entries(system, table) %},
        {{ entry.get("transform_sql", entry["name"]) }} as {{ entry.get("alias", entry["name"]) }}
    {%- endfor -%}
{%- endmacro %}
