"""The ``warehouse`` command: bad arguments are one line on stderr and exit code 2 (never a
traceback), and every subcommand describes itself in ``--help``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from revenue_warehouse.cli import COMMAND_MODULES, build_parser


def warehouse(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "revenue_warehouse.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["generate", "--scale", "-1"],
            {},
            "warehouse generate: error: argument --scale: -1 must be a number above 0",
        ),
        (
            ["generate", "--scale", "lots"],
            {},
            "warehouse generate: error: argument --scale: 'lots' is not a number",
        ),
        (["run", "--scale", "0"], {}, "warehouse run: error: argument --scale: 0 must be a number above 0"),
        (
            ["generate", "--end", "2024-02-30"],
            {},
            "warehouse generate: error: argument --end: '2024-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            ["generate", "--start", "2024-03-01", "--end", "2024-01-31"],
            {},
            "warehouse: error: generate: the first day 2024-03-01 is after the last day 2024-01-31",
        ),
        (
            ["check", "--suite", "marketing"],
            {},
            "warehouse check: error: argument --suite: unknown suite 'marketing'",
        ),
        (
            ["load", "--extracts", "/no/such/folder"],
            {},
            "warehouse load: error: argument --extracts: folder /no/such/folder does not exist",
        ),
        (
            ["run", "--extracts", "/no/such/folder"],
            {},
            "warehouse run: error: argument --extracts: folder /no/such/folder does not exist",
        ),
        (  # date.fromisoformat reads 20240102 as 2024-01-02; a day is written YYYY-MM-DD only
            ["load", "--from", "20240102"],
            {},
            "warehouse load: error: argument --from: '20240102' is not a date (YYYY-MM-DD)",
        ),
        (
            ["load"],
            {"WAREHOUSE_START_DATE": "2024-W01-1"},
            "warehouse: error: WAREHOUSE_START_DATE='2024-W01-1' is not a date (YYYY-MM-DD)",
        ),
        (
            ["load", "--system", "zendesk"],
            {},
            "warehouse load: error: argument --system: invalid choice: 'zendesk'",
        ),
        (["explode"], {}, "warehouse: error: argument COMMAND: invalid choice: 'explode'"),
        (
            ["load"],
            {"WAREHOUSE_DUCKDB_THREADS": "many"},
            "warehouse: error: WAREHOUSE_DUCKDB_THREADS='many' is not a positive whole number",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_exit_code_2(
    args: list[str], env: dict[str, str], message: str
) -> None:
    proc = warehouse(*args, env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), proc.stderr


def test_every_subcommand_has_a_description_in_help() -> None:
    parser = build_parser()
    [subparsers] = [a for a in parser._actions if a.dest == "command"]
    assert set(subparsers.choices) == set(COMMAND_MODULES)
    listed = {a.dest: a.help for a in subparsers._choices_actions}
    for name, sub in subparsers.choices.items():
        assert listed.get(name), f"`warehouse --help` lists {name} without a line"
        assert sub.description and len(sub.description) > 40, f"`warehouse {name} --help` has no description"
        for action in sub._actions:
            assert action.help, f"warehouse {name} {action.option_strings or action.dest} has no help text"


def test_help_exits_zero(tmp_path: Path) -> None:
    proc = warehouse("load", "--help")
    assert proc.returncode == 0 and "usage: warehouse load" in proc.stdout and proc.stderr == ""


def test_the_executable_exits_without_a_last_collection_of_what_the_command_built() -> None:
    """``warehouse`` is ``cli.console``: ``main``'s exit code, after ``gc.freeze`` (the interpreter's
    last garbage collection would walk every object the command built: 2-3 s after a ``warehouse run``);
    the atexit handlers still run."""
    from importlib.metadata import entry_points

    assert entry_points(group="console_scripts")["warehouse"].value == "revenue_warehouse.cli:console"
    code = (
        "import atexit, gc, sys; from revenue_warehouse import cli; "
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, flush=True)); "
        "sys.argv = ['warehouse']; cli.console()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2  # no command: the usage, as from main
    assert "frozen True" in proc.stdout and "usage: warehouse" in proc.stdout
