{#-
    Spark spells some types differently. Contracts (models/**/_*__models.yml `data_type`) and seed
    column types (seeds/*.yml) name types the way DuckDB and PostgreSQL both read them (varchar,
    float8, ...); dbt checks an enforced contract by casting nulls to those names and creates seed
    tables with them. On Spark both go through spark_type_name (dbt's `cast` and
    `create_csv_table` / `load_csv_rows` dispatch to the root project first).
-#}
{% macro spark_type_name(type) -%}
    {%- set names = {"varchar": "string", "text": "string", "float8": "double", "double precision": "double"} -%}
    {{- names.get(type | trim | lower, type) -}}
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type_name(type) }})
{%- endmacro %}

{#- dbt-spark's seed table DDL (dbt/include/spark/macros/materializations/seed.sql, 1.11.0) with the
    configured column types translated like casts above. -#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = spark_type_name(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}

{#- dbt-spark's seed row inserts (same file) with the value casts translated and the values written as
    escaped literals: the session method's parameter binding quotes strings without escaping them
    (a seed text with an apostrophe breaks the statement) and turns NULL into the text 'None'. -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = spark_type_name(column_override.get(col_name, inferred_type)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                  {%- if not loop.last %},{% endif %}
              {%- endfor -%})
              {%- if not loop.last %},{% endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}
