"""SIGKILL the write-audit-publish pipeline during the loads, during the dbt build and during the publish, then run it
again: a reader watching the serving file meanwhile only ever sees a complete warehouse (the previous
one or the new one), and the rerun's marts are identical to an uninterrupted run's."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from wap_support import PIPELINE_SCRIPT, mart_checksums

from revenue_warehouse.publish import current_generation

pytestmark = pytest.mark.slow

AS_OF = date(2024, 6, 30)


# The reference and the interrupted warehouse are two build folders, so each would generate its own random
# personal-data salt (docs/operations.md); one installation's salt is what makes their hashed keys comparable.
SALT = "test-wap-kill-one-installation"


def start(extracts: Path, build: Path, serving: Path) -> subprocess.Popen:
    """The whole write-audit-publish pipeline in its own process group (so SIGKILL takes dbt too)."""
    return subprocess.Popen(
        [sys.executable, "-u", "-c", PIPELINE_SCRIPT, str(extracts), str(build), str(serving), AS_OF.isoformat(),
         str(Path(__file__).resolve().parent.parent)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "WAREHOUSE_PII_SALT": SALT},
    )  # fmt: skip


def wait_for(proc: subprocess.Popen, marker: str, log: list[str]) -> None:
    """Read the job's log until ``marker`` appears (the step started)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        log.append(line)
        if marker in line:
            return
    raise AssertionError(f"the job ended before {marker!r}:\n{''.join(log[-40:])}")


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the pipeline and its children (the dbt subprocess), as a crash of its host would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class ServingWatcher(threading.Thread):
    """Keeps opening the serving file read-only and checks the warehouse in it is complete."""

    def __init__(self, serving: Path) -> None:
        super().__init__(daemon=True)
        self.serving, self.stop, self.errors, self.generations = serving, threading.Event(), [], set()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                con = duckdb.connect(str(self.serving), read_only=True)
                try:
                    generation = con.execute("select generation from audit.publication").fetchone()[0]
                    for schema, table, expected in con.execute(
                        "select table_schema, table_name, row_count from audit.published_tables"
                    ).fetchall():
                        got = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
                        if got != expected:
                            self.errors.append(
                                f"{generation} {schema}.{table}: {got} rows, expected {expected}"
                            )
                    self.generations.add(generation)
                finally:
                    con.close()
            except Exception as exc:  # any failure to read a complete warehouse is a test failure
                self.errors.append(repr(exc))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def tiny_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fewer extract files than the shared set (the job is run five times here)."""
    from revenue_warehouse.simulator import generate

    out = tmp_path_factory.mktemp("tiny_extracts")
    generate(out, scale=0.02, seed=5, start=date(2023, 1, 1), end=date(2024, 6, 30))
    return out


def test_sigkill_during_load_dbt_and_publish_then_rerun(tiny_extracts: Path, tmp_path: Path) -> None:
    extracts = tiny_extracts
    # The uninterrupted reference run.
    ref_serving = tmp_path / "ref" / "serving.duckdb"
    ref_serving.parent.mkdir()
    ref = start(extracts, tmp_path / "ref" / "build.duckdb", ref_serving)
    out, _ = ref.communicate(timeout=1200)
    assert ref.returncode == 0, out[-4000:]
    reference = mart_checksums(ref_serving)
    assert reference and all(v[0] > 0 for k, v in reference.items() if k.startswith("funnel."))

    # The interrupted warehouse starts from a complete previous publication.
    serving, build = tmp_path / "wap" / "serving.duckdb", tmp_path / "wap" / "build.duckdb"
    serving.parent.mkdir()
    shutil.copy(ref_serving, serving)
    previous = serving.read_bytes()
    watcher = ServingWatcher(serving)
    watcher.start()
    try:
        log: list[str] = []
        for marker, delay in (("PHASE load", 2.0), ("PHASE dbt", 15.0)):
            proc = start(extracts, build, serving)
            wait_for(proc, marker, log)
            time.sleep(delay)
            assert proc.poll() is None, "the job finished before it could be killed"
            kill(proc)
            assert serving.read_bytes() == previous
        # Kill during the publish: as soon as the new serving file is being written beside the old one.
        proc = start(extracts, build, serving)
        threading.Thread(target=lambda: [log.append(line) for line in proc.stdout], daemon=True).start()
        while not list(serving.parent.glob(".serving.duckdb.tmp-*")):
            assert proc.poll() is None, "the job ended before publishing:\n" + "".join(log[-40:])
            time.sleep(0.002)
        kill(proc)
        assert serving.read_bytes() == previous
        # The rerun completes and publishes marts identical to the uninterrupted run's.
        rerun = start(extracts, build, serving)
        out, _ = rerun.communicate(timeout=1200)
        assert rerun.returncode == 0, out[-4000:]
    finally:
        watcher.stop.set()
        watcher.join()
    assert watcher.errors == []
    assert len(watcher.generations) == 2  # the previous warehouse, then the rerun's
    assert current_generation(serving) != current_generation(ref_serving)
    assert mart_checksums(serving) == reference
    assert not list(serving.parent.glob(".serving.duckdb.tmp-*"))
