"""The ``warehouse`` command line. Each subcommand lives in ``revenue_warehouse/commands/<name>.py``
and exposes ``register(subparsers)``; heavy imports happen inside the handlers so ``--help`` is quick."""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules, in the order ``--help`` lists them. A module missing from the package is skipped.
COMMAND_MODULES = ("generate", "load", "run", "publish", "check", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warehouse",
        description="revenue_warehouse: B2B revenue data warehouse (marketing, sales, customer success).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"revenue_warehouse.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"revenue_warehouse.commands.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
