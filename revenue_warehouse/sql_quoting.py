"""Quoting for SQL built in Python: one definition of an identifier and of a string literal, the
ANSI rules DuckDB and PostgreSQL share (a double quote or single quote inside is doubled), and their
Spark SQL counterparts: Spark quotes identifiers with backticks and reads a backslash in a string
literal as an escape, so a Spark literal escapes backslashes and single quotes with a backslash."""

from __future__ import annotations


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def spark_identifier(name: str) -> str:
    """``name`` as a Spark SQL identifier (backticks, a backtick inside doubled)."""
    return "`" + name.replace("`", "``") + "`"


def spark_literal(value: str) -> str:
    """``value`` as a Spark SQL string literal (backslash escapes, which Spark applies by default)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
