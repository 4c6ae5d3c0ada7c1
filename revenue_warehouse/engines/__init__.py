"""The same warehouse on other engines (docs/scaling.md): the loader's validated raw layer exported as
Parquet (``raw_layer``), bulk-copied into PostgreSQL (``postgres``) or registered in Spark (``spark``),
dbt built there, and the marts, check frames and key figures read back through the engine's own
connection (``readers``)."""
