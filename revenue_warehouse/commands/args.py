"""Argument types shared by the subcommands: each rejects a bad value with a short reason, which the
``warehouse`` parser prints as one line (exit code 2)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from revenue_warehouse.contract import parse_day


def iso_date(value: str) -> date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value} must be a number above 0")
    return number


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return number


def existing_dir(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"folder {value} does not exist")
    return path


def existing_file(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"file {value} does not exist")
    return path


def suite_name(value: str) -> str:
    from revenue_warehouse.quality.suites import SUITES

    names = list(SUITES)
    if value not in names:
        raise argparse.ArgumentTypeError(f"unknown suite {value!r} (known: {', '.join(names)})")
    return value
