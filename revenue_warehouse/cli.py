"""The ``warehouse`` command line. Each subcommand lives in ``revenue_warehouse/commands/<name>.py``
and exposes ``register(subparsers)``; heavy imports happen inside the handlers so ``--help`` is quick."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from typing import NoReturn

from revenue_warehouse.settings import SettingsError, get_settings

# Subcommand modules, in the order ``--help`` lists them. A module missing from the package is skipped.
COMMAND_MODULES = ("generate", "load", "run", "publish", "check", "export", "codegen", "engines")


class Parser(argparse.ArgumentParser):
    """Bad arguments are one line on stderr (``warehouse generate: error: ...``) and exit code 2;
    ``--help`` shows the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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
    try:
        get_settings()
    except SettingsError as exc:
        print(f"warehouse: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if start and end and start > end:
        parser.error(f"{args.command}: the first day {start} is after the last day {end}")
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print(f"warehouse {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback to the user: one line here, the traceback in the log
        from revenue_warehouse.errors import log_traceback, user_message

        log = log_traceback(exc)
        where = f" (traceback in {log})" if log else ""
        print(f"warehouse {args.command}: error: {user_message(exc)}{where}", file=sys.stderr)
        return 1


def console() -> NoReturn:
    """The ``warehouse`` executable: ``main``, then exit without the interpreter's last garbage collection
    over everything the command imported and built (2-3 s after a ``warehouse run``: Dagster's, dbt's and
    GX's objects). The command has closed what it opened; ``gc.freeze`` only puts the objects out of the
    collector's reach, so the atexit handlers (logging's flush among them) still run. Not in ``main``,
    which tests call in their own process."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    console()
