"""Subcommands of the ``warehouse`` CLI: each module has ``register(subparsers)`` that adds a parser
and sets ``handler=`` to a function taking the parsed args and returning an exit code."""
