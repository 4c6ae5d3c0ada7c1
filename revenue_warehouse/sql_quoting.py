"""Quoting for SQL built in Python: one definition of an identifier and of a string literal, the
ANSI rules DuckDB and PostgreSQL share (a double quote or single quote inside is doubled). Spark SQL
escapes string literals with backslashes instead, so Spark's statements do not use ``literal``."""

from __future__ import annotations


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
