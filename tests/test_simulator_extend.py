"""Extending generated extracts by days: `warehouse generate --extend-days N` (and `--end` later on a
folder of the same world) writes only the new days' files, leaves every earlier file untouched, and
ends with exactly the folder (files and `_truth/`) a generation straight to the new end writes. The
truth as of an end inside the simulated horizon (late updates still in flight, deals still open)
still equals what the files show, recomputed here from the files alone."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import test_simulator_truth as truth_checks  # its checks, run here on other folders
from simulator_support import checksums, open_extracts, truth_json

from revenue_warehouse.cli import main
from revenue_warehouse.simulator import generate

START, END, N = date(2023, 1, 1), date(2024, 6, 7), 3
# every later change delivered late (2..6 days): at END all four late-updated tables have one in flight
WORLD = {
    "scale": 0.1,
    "seed": 5,
    "start": START,
    "horizon": date(2025, 12, 31),
    "dirt": {"late_updates": 1.0},
}


def files_of(root: Path) -> dict[str, str]:
    return {k: v for k, v in checksums(root).items() if not k.startswith("_truth/")}


def mtimes(root: Path, names: dict[str, str]) -> dict[str, int]:
    return {k: (root / k).stat().st_mtime_ns for k in names}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("extend")
    first, at_end, direct = base / "first", base / "at_end", base / "direct"
    generate(first, end=END, **WORLD)
    shutil.copytree(first, at_end)  # kept as generated to END
    before = files_of(first)
    stamps = mtimes(first, before)
    assert main(["generate", "--out", str(first), "--extend-days", str(N), "--quiet"]) == 0
    generate(direct, end=END + timedelta(days=N), **WORLD)
    return {"extended": first, "at_end": at_end, "direct": direct, "before": before, "stamps": stamps}


def test_earlier_files_are_untouched_and_the_new_days_are_written(runs: dict) -> None:
    extended: Path = runs["extended"]
    after = files_of(extended)
    assert {k: after.get(k) for k in runs["before"]} == runs["before"]
    assert mtimes(extended, runs["before"]) == runs["stamps"], "an earlier file was written again"
    new = set(after) - set(runs["before"])
    new_days = {date.fromisoformat(Path(k).stem) for k in new}
    assert new_days == {END + timedelta(days=k) for k in range(1, N + 1)}
    for day in new_days:  # every day has its web sessions and ad delivery
        assert f"hubspot/web_session/{day.isoformat()}.csv" in new
        assert f"hubspot/ad_campaign_daily/{day.isoformat()}.csv" in new


def test_extended_folder_equals_a_direct_generation_byte_for_byte(runs: dict) -> None:
    assert checksums(runs["extended"]) == checksums(runs["direct"])
    assert truth_json(runs["extended"], "meta")["as_of"] == (END + timedelta(days=N)).isoformat()


def test_the_end_cuts_late_updates_in_flight(runs: dict) -> None:
    """At the chosen end every late-updated table has a change not delivered yet, so the truth
    checks below cover records the warehouse can only know at an earlier state."""
    in_flight = truth_json(runs["at_end"], "dirt")["late_updates_in_flight"]
    assert set(in_flight) == {"contact", "lead", "opportunity", "subscription"}
    assert all(n > 0 for n in in_flight.values()), in_flight


@pytest.mark.parametrize("which", ["at_end", "extended"])
def test_truth_as_of_the_end_equals_the_extracts(runs: dict, which: str) -> None:
    root: Path = runs[which]
    con = open_extracts(root)
    truth_checks.test_funnel_truth_equals_the_extracts(con, root)
    truth_checks.test_opportunity_truth_equals_the_extracts(con, root)
    truth_checks.test_marketing_to_sales_handoffs_equal_the_extracts(con, root)
    truth_checks.assert_mrr_truth_equals_the_extracts(con, root)
    truth_checks.test_late_opportunity_updates_equal_the_recorded_count(con, root)
    truth_checks.test_duplicate_rows_equal_the_recorded_count(con, root)
    truth_checks.test_email_variants_soft_deletes_and_nulls_equal_the_recorded_counts(con, root)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--extend-days", "1", "--seed", "6"], "--seed 6 does not match"),
        (["--extend-days", "1", "--scale", "0.2"], "--scale 0.2 does not match"),
        (["--extend-days", "1", "--format", "parquet"], "--format parquet does not match"),
        (["--extend-days", "1", "--no-dirt"], "dirt rates asked for do not match"),
        (["--extend-days", "1", "--end", "2024-06-30"], "exclude each other"),
        (["--extend-days", "600"], "past the simulated horizon 2025-12-31"),
        (["--extend-days", "0"], "must be 1 or more"),
    ],
)
def test_bad_extensions_are_one_line_errors(
    runs: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(runs["at_end"], folder)
    before = checksums(folder)
    try:
        code = main(["generate", "--out", str(folder), "--quiet", *args])
    except SystemExit as exc:  # argparse refuses the value itself
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert checksums(folder) == before


def test_extending_needs_extracts_and_a_horizon_past_the_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--out", str(tmp_path), "--extend-days", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds no generated extracts" in err and err.count("\n") == 1
    world = ["--scale", "0.01", "--seed", "2", "--start", "2024-01-01", "--end", "2024-01-10"]
    assert main(["generate", *world, "--out", str(tmp_path), "--quiet"]) == 0  # horizon = end
    assert main(["generate", "--out", str(tmp_path), "--extend-days", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "2024-01-11 is past the simulated horizon 2024-01-10" in err and "--horizon 2026-12-31" in err
    assert err.count("\n") == 1
    assert main(["generate", *world, "--horizon", "2024-01-09", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--horizon 2024-01-09 is before the end 2024-01-10" in err and err.count("\n") == 1


def test_a_later_end_on_the_same_world_writes_only_the_new_days(tmp_path: Path) -> None:
    """`--end` later on a folder of the same world (same horizon) extends it, across a month end."""
    world = ["--scale", "0.02", "--seed", "3", "--start", "2024-01-01", "--horizon", "2024-12-31"]
    folder, direct = tmp_path / "folder", tmp_path / "direct"
    assert main(["generate", *world, "--end", "2024-02-28", "--out", str(folder), "--quiet"]) == 0
    before = files_of(folder)
    stamps = mtimes(folder, before)
    assert main(["generate", *world, "--end", "2024-03-02", "--out", str(folder), "--quiet"]) == 0
    assert mtimes(folder, before) == stamps
    assert main(["generate", *world, "--end", "2024-03-02", "--out", str(direct), "--quiet"]) == 0
    assert checksums(folder) == checksums(direct)
    assert truth_json(folder, "meta")["horizon"] == "2024-12-31"
    new = {Path(k).stem for k in set(files_of(folder)) - set(before)}
    assert new == {"2024-02-29", "2024-03-01", "2024-03-02"}
