"""The flake8 adapter: flake8's tree and lines in, the engine's findings out.

It works on what flake8 hands over (so `flake8 -` and editors' buffers are
linted, never the file on disk), it never loads libcst (the judge reads
flake8's `ast` tree), and it never raises: a file the engine cannot analyse
yields nothing, since flake8 reports real syntax errors itself.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from typing import Any

from . import __version__
from .engine import check
from .settings import Settings
from .source import SourceError


class DropoutChecker:
    name = "flake8-dropout"
    version = __version__
    settings = Settings.from_options()

    def __init__(self, tree: ast.AST, lines: Sequence[str]) -> None:
        self.tree = tree
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--dropout-module-bases",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Extra dotted base classes whose subclasses are nn.Modules "
            "(extends the defaults: Lightning, torch_geometric MessagePassing).",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.settings = Settings.from_options(options.dropout_module_bases)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        source = "".join(self.lines)
        try:
            findings = check(source, self.settings, tree=self.tree)
        except SourceError:
            return
        except Exception:  # noqa: BLE001 - a plugin must never crash a flake8 run
            return
        for finding in findings:
            yield finding.line, finding.column, finding.message, type(self)
