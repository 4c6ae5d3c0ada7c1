"""Failures a user can meet, through the real ``warehouse`` command line in its own process: a corrupt
build file, a lock held by another process, a concurrent run, a read-only directory and a full disk
each end in one line (what, which file, what to do) and exit 1, never a traceback; the traceback goes
to the log (issue 14, items 6, 7 and 9)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_loader_support import sample_rows, write_extract

from revenue_warehouse.build_db import BuildCorrupt, BuildLocked, open_build, run_lock

CLI = [sys.executable, "-m", "revenue_warehouse.cli"]


def warehouse(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    extracts = tmp_path / "extracts"
    write_extract(
        extracts, "salesforce", "account", date(2024, 1, 2), sample_rows("salesforce", "account", 5)
    )
    return {
        **os.environ,
        "WAREHOUSE_DATA_DIR": str(tmp_path / "data"),
        "WAREHOUSE_EXTRACTS_DIR": str(extracts),
        "WAREHOUSE_LOG_FILE": str(tmp_path / "warehouse.log"),
    }


def assert_one_line(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    [line] = proc.stderr.strip().splitlines()
    for fragment in fragments:
        assert fragment in line, line
    return line


@pytest.mark.parametrize("command", ["load", "check", "publish", "run"])
def test_a_corrupt_build_file_fails_at_once_naming_the_file_and_how_to_rebuild(
    env: dict[str, str], tmp_path: Path, command: str
) -> None:
    build = tmp_path / "data" / "warehouse" / "build.duckdb"
    build.parent.mkdir(parents=True)
    build.write_bytes(os.urandom(64 * 1024))
    line = assert_one_line(warehouse(command, env=env), str(build), "corrupt", "warehouse run", "mv ")
    assert line.startswith(f"warehouse {command}: error:")
    assert "Traceback" in Path(env["WAREHOUSE_LOG_FILE"]).read_text()


def test_a_truncated_build_file_is_corrupt_not_locked(tmp_path: Path) -> None:
    good = tmp_path / "good.duckdb"
    with duckdb.connect(str(good)) as con:
        con.execute("create table t as select range as i from range(100000)")
    truncated = tmp_path / "truncated.duckdb"
    shutil.copy(good, truncated)
    os.truncate(truncated, 5000)
    with pytest.raises(BuildCorrupt, match="truncated.duckdb is corrupt"):
        open_build(truncated)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(good)!r}); print('x', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        holder.stdout.readline()
        with pytest.raises(BuildLocked, match=f"in use by another process \\(pid {holder.pid}\\)"):
            open_build(good)
    finally:
        holder.kill()
        holder.wait()


def test_a_second_run_is_refused_naming_the_run_that_holds_the_lock(
    env: dict[str, str], tmp_path: Path
) -> None:
    build = tmp_path / "data" / "warehouse" / "build.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from revenue_warehouse.build_db import run_lock\n"
            f"with run_lock({str(build)!r}):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in ("load", "run"):
            assert_one_line(warehouse(command, env=env), f"another run (pid {holder.pid}) is using {build}")
    finally:
        holder.kill()
        holder.wait()
    # released when its holder dies: the next run goes ahead
    proc = warehouse("load", env=env)
    assert proc.returncode == 0, proc.stderr
    with run_lock(build):
        pass


def _can_mount() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs root and mount namespaces (unshare -m)")


def warehouse_on_tmpfs(
    mount_dir: Path, options: str, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a private mount namespace with a tmpfs (``options``) on ``mount_dir``."""
    mount_dir.mkdir(parents=True, exist_ok=True)
    command = " ".join(f"'{a}'" for a in [*CLI, *args])
    script = f"mount -t tmpfs -o {options} tmpfs '{mount_dir}' && exec {command}"
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )


@needs_mount
def test_a_read_only_directory_is_one_clear_line(env: dict[str, str], tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    env = {**env, "WAREHOUSE_BUILD_DB": str(ro / "build.duckdb")}
    proc = warehouse_on_tmpfs(ro, "ro,size=1m", "load", env=env)
    assert_one_line(proc, "cannot write", str(ro), "writable")


@needs_mount
def test_a_full_disk_is_one_clear_line(env: dict[str, str], tmp_path: Path) -> None:
    small = tmp_path / "small"
    extracts = Path(env["WAREHOUSE_EXTRACTS_DIR"])
    write_extract(
        extracts, "salesforce", "account", date(2024, 1, 3), sample_rows("salesforce", "account", 40_000)
    )
    env = {**env, "WAREHOUSE_BUILD_DB": str(small / "build.duckdb")}
    proc = warehouse_on_tmpfs(small, "size=512k", "load", env=env)
    assert_one_line(proc, "no space left", str(small), "free space")


def test_the_run_lock_is_re_entrant_in_its_process_and_exclusive_across_processes(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    probe = [
        sys.executable,
        "-c",
        "import sys\nfrom revenue_warehouse.build_db import BuildLocked, run_lock\n"
        f"try:\n    with run_lock({str(build)!r}): print('free')\nexcept BuildLocked as e: print(e)",
    ]
    with (
        run_lock(build),
        run_lock(build),
    ):  # `warehouse run` holds it, its in-process job's assets take it again
        pass
    with run_lock(build):
        with run_lock(build):
            pass
        held = subprocess.run(probe, capture_output=True, text=True).stdout.strip()
        assert (
            held
            == f"another run (pid {os.getpid()}) is using {build}: wait for it to finish (or stop it) and run again"
        )
    assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "free"


@pytest.mark.slow
def test_warehouse_run_with_a_failing_step_prints_a_summary_and_no_traceback(
    env: dict[str, str], tmp_path: Path
) -> None:
    extracts = Path(env["WAREHOUSE_EXTRACTS_DIR"])
    write_extract(extracts, "salesforce", "opportunity", date(2024, 1, 2), "name,amount\nDeal,10\n")
    proc = warehouse("run", env=env, timeout=900)
    assert proc.returncode == 1
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "Stack Trace" not in output
    # a failed file is its table's failed files_loaded check (not a failed step), and nothing is published
    assert "1 failed" in proc.stdout and "failed check raw_salesforce/opportunity:files_loaded" in proc.stdout
    assert "NOT published" in proc.stdout
    first = proc.stdout.splitlines()[0]
    run_log = Path(first.rsplit(" goes to ", 1)[1])
    assert "missing required column" in run_log.read_text()


def test_run_on_a_folder_of_files_in_no_known_layout_refuses_to_generate_into_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    mine = tmp_path / "my_extracts"
    for name in ("Salesforce/account/2024-01-02.csv", "stripe/customer/2024-01-02.txt"):
        (mine / name).parent.mkdir(parents=True)
        (mine / name).write_text("id\n1\n")
    before = sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*"))
    line = assert_one_line(
        warehouse("run", "--extracts", str(mine), env=env),
        str(mine),
        "2 file(s) but no extract file",
        "Salesforce/account/2024-01-02.csv",
        "not generating",
    )
    assert line.startswith("warehouse run: error:")
    assert sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*")) == before
    assert not (tmp_path / "data" / "warehouse" / "build.duckdb").exists()


def test_run_refuses_at_once_when_the_serving_path_holds_a_file_publish_did_not_write(
    env: dict[str, str], tmp_path: Path
) -> None:
    theirs = tmp_path / "report.duckdb"
    theirs.write_text("somebody's report\n")
    proc = warehouse("run", env={**env, "WAREHOUSE_SERVING_DB": str(theirs)})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"warehouse run: error: {theirs} is not a serving warehouse this project wrote (not a DuckDB file): "
        "left as it is; move it away or choose another serving path (--serving / WAREHOUSE_SERVING_DB)"
    ]
    assert theirs.read_text() == "somebody's report\n"
    assert not (tmp_path / "data" / "warehouse" / "build.duckdb").exists()  # nothing loaded or built


def test_a_corrupt_serving_file_is_named_as_the_serving_file_not_the_build_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revenue_warehouse.errors import user_message
    from revenue_warehouse.settings import reset_settings

    serving = tmp_path / "warehouse" / "serving.duckdb"
    serving.parent.mkdir()
    serving.write_bytes(os.urandom(64 * 1024))
    monkeypatch.setenv("WAREHOUSE_SERVING_DB", str(serving))
    reset_settings()
    with pytest.raises(duckdb.Error) as caught:
        duckdb.connect(str(serving), read_only=True)
    message = user_message(caught.value)
    assert message.startswith(f"the serving file {serving} is corrupt (")
    assert f"mv {serving} {serving}.corrupt" in message and "warehouse publish" in message
    assert "build database" not in message
    build = tmp_path / "build.duckdb"  # any other DuckDB file keeps the build database's wording
    shutil.copy(serving, build)
    with pytest.raises(duckdb.Error) as caught:
        duckdb.connect(str(build), read_only=True)
    assert user_message(caught.value).startswith(f"the build database {build} is corrupt (")


def test_check_with_a_crashing_suite_names_it_in_one_line_and_writes_the_others(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``warehouse check`` on a build whose load-completeness check model is missing: that suite is one
    ERR line naming the error, the other suites' results are written, exit 1, the traceback in the log."""
    from test_quality_runner import make_loaded_db

    db = tmp_path / "build.duckdb"
    make_loaded_db(db, missing_in_staging=(), lost_rows=0, failed_files=0)
    seed = Path(__file__).parents[1] / "seeds" / "handoff_slas.csv"
    with duckdb.connect(str(db)) as con:  # the handoff suites' floors (the dbt seed); no check model
        con.execute(
            f"create schema reference; create table reference.handoff_slas as from read_csv('{seed}')"
        )
        con.execute("drop table quality.qc_staging_ids")
    company = tmp_path / "company.yml"  # HubSpot data only: the handoff suites do not apply
    company.write_text("systems: [marketing]\ndepartments: [marketing, sales]\n")
    env = {**env, "WAREHOUSE_COMPANY_CONFIG": str(company)}
    proc = warehouse("check", "--db", str(db), "--run-id", "r1", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    [line] = [x for x in proc.stdout.splitlines() if x.lstrip().startswith("ERR")]
    assert line.strip().startswith("ERR  load_completeness.suite_error: fetching its frames: RuntimeError:")
    assert "qc_staging_ids" in line
    assert "Traceback" in Path(env["WAREHOUSE_LOG_FILE"]).read_text()
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select suite, status from audit.check_results where run_id = 'r1' group by all order by 1"
        ).fetchall()
    assert rows == [
        ("customer_success_to_renewal", "not_applicable"),
        ("load_completeness", "error"),
        ("marketing_to_sales", "not_applicable"),
        ("sales_to_customer_success", "not_applicable"),
    ]
