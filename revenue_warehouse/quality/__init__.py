"""Great Expectations handoff gate: expectation suites as code (one per handoff plus load
completeness), validated on small DataFrames fetched read-only from DuckDB with an ephemeral GX
context. Which checks block publication is configuration (``checks.yml``).

Nothing here imports ``great_expectations`` at module level (it costs about 7 s); only
``runner.validate`` does, when checks actually run.
"""
