"""The subcommands `flake8-dropout rule CODE` and `flake8-dropout server`.

A first argument `rule` or `server` is always the subcommand, whether or not a
file of that name exists (an editor's `flake8-dropout server` must not turn
into a lint run because the project has a `server/` folder); to check a path
of that name, write `./server` or put it after `--`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

SUBCOMMANDS = ("rule", "server")


def run_subcommand(name: str, argv: Sequence[str]) -> int:
    return {"rule": rule, "server": server}[name](list(argv))


def rule(argv: list[str]) -> int:
    """Print a code's documentation (the README's section), as `ruff rule` does."""
    from .rule_docs import RULES

    parser = argparse.ArgumentParser(
        prog="flake8-dropout rule",
        description="Explain a code: what it finds, why it matters, the fix and its safety.",
        epilog="To check a path named 'rule', write ./rule or: flake8-dropout -- rule",
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help=", ".join(RULES))
    parser.add_argument("--all", action="store_true", help="explain every code")
    args = parser.parse_args(argv)
    if args.all:
        sys.stdout.write("\n".join(doc.render() for doc in RULES.values()))
        return 0
    if args.code is None:
        parser.error("name a code (or --all)")
    doc = RULES.get(args.code.upper())
    if doc is None:
        parser.error(f"unknown code {args.code!r}; the codes are {', '.join(RULES)}")
    sys.stdout.write(doc.render())
    return 0


def server(argv: list[str]) -> int:
    """The language server on stdin/stdout (needs the `lsp` extra: pygls)."""
    argparse.ArgumentParser(
        prog="flake8-dropout server",
        description="Run the language server on stdin/stdout: diagnostics and quick fixes.",
        epilog="To check a path named 'server', write ./server or: flake8-dropout -- server",
    ).parse_args(argv)
    try:
        from .server import serve
    except ImportError as error:
        if getattr(error, "name", None) in ("pygls", "lsprotocol") or "pygls" in str(error):
            sys.stderr.write(
                "flake8-dropout: error: the language server needs pygls: "
                "pip install 'flake8-dropout[lsp]'\n"
            )
            return 2
        raise
    serve()
    return 0
