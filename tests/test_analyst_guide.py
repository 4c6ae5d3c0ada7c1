"""Every SQL block of docs/analyst-guide.md runs against the shared built and published warehouse and
returns rows (a query that runs but answers nothing on a warehouse with data is a hollow answer)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

GUIDE = PROJECT_DIR / "docs" / "analyst-guide.md"


def guide_queries() -> list[tuple[str, str]]:
    """(heading, SQL) of every ```sql block, named by the ### heading above it."""
    found, heading = [], ""
    for part in re.split(
        r"(^### [^\n]*$|```sql\n.*?```)", GUIDE.read_text(encoding="utf-8"), flags=re.M | re.S
    ):
        if part.startswith("### "):
            heading = part[4:].strip()
        elif part.startswith("```sql"):
            found.append((heading, part[len("```sql\n") : -3]))
    return found


QUERIES = guide_queries()


def test_the_guide_has_at_least_twelve_worked_queries() -> None:
    assert len(QUERIES) >= 12
    assert len({heading for heading, _ in QUERIES}) == len(QUERIES)


@pytest.mark.parametrize(("heading", "sql"), QUERIES, ids=[h.split(".")[0] for h, _ in QUERIES])
def test_guide_query_runs_and_answers(served_db: Path, heading: str, sql: str) -> None:
    with duckdb.connect(str(served_db), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"'{heading}' returned no rows"
