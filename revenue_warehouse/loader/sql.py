"""SQL fragments the loader builds from the contract: typed casts, cast-failure tests, CSV re-quoting."""

from __future__ import annotations

from revenue_warehouse.contract import Column
from revenue_warehouse.loader.discovery import sql_str
from revenue_warehouse.sql_quoting import identifier as ident


def is_text(column: Column) -> bool:
    return column.type.upper() == "VARCHAR"


def typed(column: Column) -> str:
    """The raw text of a column cast to its contract type (``NULL`` when blank or not castable)."""
    col = ident(column.name)
    if is_text(column):
        return col
    # the second cast (on trimmed text) only runs where the first gave NULL
    return f"COALESCE(TRY_CAST({col} AS {column.type}), TRY_CAST(TRIM({col}) AS {column.type}))"


def cast_fails(column: Column) -> str | None:
    """True when a non-empty value does not cast to the column's type; ``None`` for text columns."""
    if is_text(column):
        return None
    col = ident(column.name)
    return f"({typed(column)} IS NULL AND {col} IS NOT NULL AND TRIM({col}) <> '')"


def failure_names(columns: list[Column]) -> str:
    """Comma-separated names of the columns whose value failed its cast (``''`` when none)."""
    parts = [f"CASE WHEN {cast_fails(c)} THEN '{sql_str(c.name)}' END" for c in columns if not is_text(c)]
    return f"CONCAT_WS(',', {', '.join(parts)})" if parts else "''"


def failure_reasons(columns: list[Column]) -> str:
    parts = [
        f"CASE WHEN {cast_fails(c)} THEN '{sql_str(c.name)}: ''' || {ident(c.name)} || ''' is not a valid {c.type}' END"
        for c in columns
        if not is_text(c)
    ]
    return f"CONCAT_WS('; ', {', '.join(parts)})" if parts else "''"


def any_failure(columns: list[Column]) -> str:
    tests = [cast_fails(c) for c in columns if not is_text(c)]
    return " OR ".join(t for t in tests if t) if tests else "FALSE"


def csv_line(names: list[str]) -> str:
    """The row's fields re-joined as a CSV line (quoted where needed), for quarantine."""
    fields = [
        f"""CASE WHEN {ident(n)} IS NULL THEN '' WHEN regexp_matches({ident(n)}, '[",\\r\\n]') """
        f"""THEN '"' || replace({ident(n)}, '"', '""') || '"' ELSE {ident(n)} END"""
        for n in names
    ]
    return f"CONCAT_WS(',', {', '.join(fields)})"
