"""Check results: the ``audit.check_results`` table and the failure message the run fails with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import duckdb

CHECK_RESULTS_DDL = """
create table if not exists audit.check_results (
    run_id varchar not null,
    checked_at timestamp not null,
    suite varchar not null,
    gx_suite varchar not null,
    expectation varchar not null,
    gx_expectation varchar not null,
    guards varchar,
    handoff varchar,
    severity varchar not null,
    success boolean not null,
    observed_value varchar,
    threshold varchar,
    element_count bigint,
    failing_record_count bigint not null,
    sample_failing_keys varchar[],
    description varchar,
    status varchar,
    kind varchar,
    reason varchar
)"""
# Columns added after the first release: added to an existing table when results are written.
ADDED_COLUMNS = (("status", "varchar"), ("kind", "varchar"), ("reason", "varchar"))
# passed: the expectation held (a handoff check may still report leaking records above its floor);
# failed; no_records: nothing decided to check; not_applicable: the company lacks a system or
# department the check needs (company.yml), the reason says which; error: the suite could not run (an
# exception fetching or validating its frames; one result per suite, expectation ``suite_error``,
# severity error whatever is configured: it blocks publishing), the reason says why in one line.
STATUSES = ("passed", "failed", "no_records", "not_applicable", "error")
COLUMNS = [
    "run_id",
    "checked_at",
    "suite",
    "gx_suite",
    "expectation",
    "gx_expectation",
    "guards",
    "handoff",
    "severity",
    "success",
    "observed_value",
    "threshold",
    "element_count",
    "failing_record_count",
    "sample_failing_keys",
    "description",
    "status",
    "kind",
    "reason",
]


@dataclass
class CheckResult:
    run_id: str
    suite: str
    gx_suite: str
    expectation: str
    gx_expectation: str
    guards: str
    handoff: str | None
    severity: str
    success: bool
    observed_value: str
    threshold: str
    element_count: int
    failing_record_count: int
    sample_failing_keys: list[str]
    description: str = ""
    status: str = "passed"
    kind: str = "integrity"
    reason: str = ""
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))

    @property
    def blocking_failure(self) -> bool:
        return not self.success and self.severity == "error"

    def message(self) -> str:
        if self.status == "error":
            return f"suite {self.suite}: could not run ({self.severity}): {self.reason}"
        what = f"handoff {self.handoff}" if self.handoff else f"suite {self.suite}"
        if self.status in ("no_records", "not_applicable") or (self.reason and self.success):
            return f"{what}: expectation {self.expectation} {self.status}: {self.reason}"
        samples = ", ".join(self.sample_failing_keys) or "none"
        if self.reason:
            return f"{what}: expectation {self.expectation} failed ({self.severity}): {self.reason}"
        return (
            f"{what}: expectation {self.expectation} failed ({self.severity}): "
            f"{self.failing_record_count} failing records ({self.element_count} rows checked; "
            f"observed {self.observed_value}; threshold {self.threshold or 'n/a'}); sample ids: {samples}"
        )


# How every summary counts results (``warehouse run``'s and the WAP summary): a result is one of these.
# not_applicable / no_records: the check had nothing to look at (its status says which), whatever
# else; error: the suite could not run (blocks publishing); otherwise passed, failed (severity error:
# blocks publishing) or warned (failed, not blocking).
OUTCOMES = ("passed", "warned", "failed", "error", "not_applicable", "no_records")


def outcome(result: CheckResult) -> str:
    """The one of ``OUTCOMES`` that ``result`` counts as."""
    if result.status in ("not_applicable", "no_records", "error"):
        return result.status
    if result.success:
        return "passed"
    return "failed" if result.severity == "error" else "warned"


def counts_line(results: Sequence[CheckResult]) -> str:
    """One line counting ``results`` by outcome (the same line in every summary)."""
    counts = {name: 0 for name in OUTCOMES}
    for result in results:
        counts[outcome(result)] += 1
    return (
        f"GX checks: {counts['passed']} passed, {counts['warned']} warned, {counts['failed']} failed "
        f"(blocking), {counts['error']} could not run (blocking), "
        f"{counts['not_applicable']} not applicable, {counts['no_records']} with no records"
    )


class CheckFailed(RuntimeError):
    """A blocking (severity ``error``) check failed: nothing may be published."""

    def __init__(self, failures: Sequence[CheckResult]):
        self.failures = list(failures)
        lines = [f"{len(self.failures)} blocking check(s) failed, nothing published:"]
        lines += [f"  - {f.message()}" for f in self.failures]
        super().__init__("\n".join(lines))


def raise_on_blocking(results: Sequence[CheckResult]) -> None:
    failures = [r for r in results if r.blocking_failure]
    if failures:
        raise CheckFailed(failures)


def write_results(con: duckdb.DuckDBPyConnection, results: Sequence[CheckResult]) -> None:
    """Replace this run's rows for the suites in ``results`` (re-running a check is idempotent)."""
    con.execute("create schema if not exists audit")
    con.execute(CHECK_RESULTS_DDL)
    for name, type_ in ADDED_COLUMNS:
        con.execute(f"alter table audit.check_results add column if not exists {name} {type_}")
    for run_id, suite in sorted({(r.run_id, r.suite) for r in results}):
        con.execute("delete from audit.check_results where run_id = ? and suite = ?", [run_id, suite])
    rows = [[asdict(r)[c] for c in COLUMNS] for r in results]
    if rows:
        placeholders = ", ".join("?" for _ in COLUMNS)
        con.executemany(
            f"insert into audit.check_results ({', '.join(COLUMNS)}) values ({placeholders})", rows
        )


def read_results(con: duckdb.DuckDBPyConnection, run_id: str) -> list[CheckResult]:
    rows = con.execute(
        f"select {', '.join(COLUMNS)} from audit.check_results where run_id = ? order by suite, expectation",
        [run_id],
    ).fetchall()
    results = [CheckResult(**dict(zip(COLUMNS, row, strict=True))) for row in rows]
    for r in results:  # rows written before the status column existed
        r.status = r.status or ("passed" if r.success else "failed")
        r.kind, r.reason = r.kind or "integrity", r.reason or ""
    return results
