"""Source -> findings: the screens first, libcst only where a finding can be.

Both front ends (the flake8 plugin and the command line) and the fixer call
`check`; nothing else decides what is reported.
"""

from __future__ import annotations

import ast
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .rules import FIX_APPLICABILITY, Applicability, Code, message
from .screen import Screen, screen, text_may_hold_finding, text_screen
from .settings import Settings
from .source import SourceError, split_lines


@dataclass(frozen=True, order=True)
class Finding:
    line: int  # 1-based
    column: int  # 0-based, in characters
    code: Code
    message: str  # starts with the code, as flake8 prints it
    applicability: Applicability

    @property
    def code_text(self) -> str:
        return self.code.value


@contextlib.contextmanager
def deep_recursion(limit: int = 20_000) -> Iterator[None]:
    """libcst visits recursively: long `a + b + ...` chains need more than 1000 frames."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def parse_ast(source: str) -> ast.AST:
    try:
        return ast.parse(source)
    except SyntaxError as error:  # IndentationError and TabError too
        where = f" at line {error.lineno}" if error.lineno else ""
        raise SourceError(f"{type(error).__name__}{where}: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise SourceError("too deeply nested for Python's parser") from None
    except ValueError as error:  # null bytes on older Pythons
        raise SourceError(f"cannot parse: {error}") from None


def parse_cst(source: str):  # -> libcst.Module; libcst is imported only when needed
    import libcst

    try:
        return libcst.parse_module(source)
    except libcst.ParserSyntaxError as error:
        raise SourceError(
            f"libcst cannot parse line {error.raw_line}: {error.message.splitlines()[0]}"
        ) from None
    except (RecursionError, MemoryError, ValueError) as error:
        raise SourceError(f"libcst cannot parse: {type(error).__name__}") from None


def prescreen(source: str, tree: ast.AST | None = None) -> Screen | None:
    """None when no finding is possible; else the whole file's screen.

    Without a tree (command line, fixer), the text screen decides first and
    parses only a few blocks; the whole file is parsed only when it says maybe.
    """
    if not text_may_hold_finding(source):
        return None
    if tree is None:
        verdict = text_screen(source)
        if not verdict.possible:
            return None
        tree = verdict.tree if verdict.tree is not None else parse_ast(source)
    result = screen(tree)
    return result if result.suspicious else None


@dataclass
class Checked:
    """One file's analysis: the libcst tree and each site with its finding."""

    module: Any  # libcst.Module, or None when the screens ruled the file out
    sites: list  # analysis.Site, in source order
    findings: list[Finding]  # findings[i] reports sites[i]
    classes: list = field(default_factory=list)  # analysis.ClassInfo, every class


def analyse_source(
    source: str,
    settings: Settings,
    tree: ast.AST | None = None,
    screens: bool = True,
) -> Checked:
    """Run the screens, then libcst only if a finding is possible."""
    found_screen = prescreen(source, tree) if screens else None
    if screens and found_screen is None:
        return Checked(None, [], [])
    module = parse_cst(source)
    from .analysis import analyse

    try:
        with deep_recursion():
            analysis = analyse(module, settings)
    except RecursionError:
        raise SourceError("too deeply nested for libcst to analyse") from None
    if not analysis.sites:
        return Checked(module, [], [], analysis.classes)
    positions = _positions(analysis, module, found_screen, source)
    findings = []
    for site, (line, column) in zip(analysis.sites, positions):
        written = " ".join(module.code_for_node(site.node.func).split())
        applicability = (
            FIX_APPLICABILITY[site.code] if site.receiver is not None else Applicability.NONE
        )
        text = message(site.code, site.function, written)
        findings.append(Finding(line, column, site.code, text, applicability))
    return Checked(module, analysis.sites, findings, analysis.classes)


def check(
    source: str,
    settings: Settings,
    tree: ast.AST | None = None,
    screens: bool = True,
) -> list[Finding]:
    """Every finding in `source`, sorted, `# noqa` not applied (see noqa.py)."""
    return sorted(analyse_source(source, settings, tree, screens).findings)


def _positions(analysis, module, found_screen: Screen | None, source: str) -> list[tuple[int, int]]:
    """Call positions: from the `ast` screen when it lines up, else libcst metadata."""
    if found_screen is not None and len(found_screen.candidates) == analysis.candidate_count:
        lines = split_lines(source)
        positions = []
        for site in analysis.sites:
            line, byte_column = found_screen.position(site.ordinal)
            text = lines[line - 1]
            column = (
                byte_column
                if text.isascii()
                else len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
            )
            positions.append((line, column))
        if all(_name_at(lines, pos, site) for pos, site in zip(positions, analysis.sites)):
            return positions
    import libcst.metadata

    wrapper = libcst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    ranges = wrapper.resolve(libcst.metadata.PositionProvider)
    # Like `ast`, libcst leaves the call's own parentheses out of its range.
    starts = [ranges[site.node].start for site in analysis.sites]
    return [(start.line, start.column) for start in starts]


def _name_at(lines: list[str], position: tuple[int, int], site) -> bool:
    """Sanity check of the ast/libcst alignment: the call's text starts there."""
    import libcst

    line, column = position
    func = site.node.func
    first = func
    while isinstance(first, libcst.Attribute):
        first = first.value
    if isinstance(first, libcst.Name) and not site.node.lpar and not func.lpar:
        return lines[line - 1].startswith(first.value, column)
    return True
