"""``warehouse codegen``: regenerate every file that lists extract columns from the contract."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "codegen",
        help="Regenerate column macros, sources YAML and docs/sources.md column tables from the contract.",
        description=(
            "Regenerate every file that lists extract columns from revenue_warehouse/contract.py: "
            "macros/generated/<system>_columns.sql, models/staging/<system>/_<system>__sources.yml and "
            "the column tables of docs/sources.md."
        ),
    )
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of date")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from revenue_warehouse.codegen import check_or_write

    return check_or_write(args.check)
