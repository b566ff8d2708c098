"""Source -> findings: the screens first, the judge only where a finding can be.

Both front ends (the flake8 plugin and the command line) call `check`, which
runs the judge on the `ast` tree; the fixer calls `analyse_source`, which runs
it on libcst's tree, whose nodes it rewrites (tests/test_check_fix_agreement.py:
both give the same findings).
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .rules import FIX_APPLICABILITY, Applicability, Code, message
from .safe_parse import ensure_cst_safe
from .screen import Screen, screen
from .semantics import StarResolver
from .settings import Settings
from .source import SourceError, split_lines
from .text_screen import text_may_hold_finding, text_screen

if TYPE_CHECKING:  # libcst loads only for a file the screens let through
    import libcst

    from .analysis import ClassInfo, Site


@dataclass(frozen=True, order=True)
class Finding:
    line: int  # 1-based
    column: int  # 0-based, in characters
    code: Code
    message: str  # starts with the code, as flake8 prints it
    applicability: Applicability
    note: str = field(default="", compare=False)  # why no fix applies (applicability NONE)

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


def parse_cst(source: str, tree: ast.AST | None = None) -> libcst.Module:
    """libcst's tree of `source` (libcst is imported only when needed).

    `tree`: `source`'s `ast` tree if the caller has it; see safe_parse.py for
    why libcst must not see a file nested too deeply.
    """
    ensure_cst_safe(source, tree)
    import libcst

    try:
        return libcst.parse_module(source)
    except libcst.ParserSyntaxError as error:
        if _INDENT_FORM_FEED.search(source):
            raise SourceError(
                "libcst cannot parse a form feed in indentation (valid Python: "
                "checked, but not fixed)"
            ) from None
        raise SourceError(
            f"libcst cannot parse line {error.raw_line}: {error.message.splitlines()[0]}"
        ) from None
    except (RecursionError, MemoryError, ValueError) as error:
        raise SourceError(f"libcst cannot parse: {type(error).__name__}") from None


def prescreen(
    source: str, tree: ast.AST | None = None, stars: StarResolver | None = None
) -> Screen | None:
    """None when no finding is possible; else the whole file's screen.

    Without a tree (command line, fixer), the text screen decides first and
    parses only a few blocks; the whole file is parsed only when it says maybe.
    `stars`: how star imports are read (see semantics.star_bindings).
    """
    if tree is None:
        verdict = text_screen(source, stars)  # starts with text_may_hold_finding
        if not verdict.possible:
            return None
        tree = verdict.tree if verdict.tree is not None else parse_ast(source)
    elif not text_may_hold_finding(source, stars is not None):
        return None
    result = screen(tree, stars=stars)
    return result if result.suspicious else None


@dataclass
class Checked:
    """One file's analysis: the libcst tree and each site with its finding."""

    module: libcst.Module | None  # None when the screens ruled the file out
    sites: list[Site]  # in source order
    findings: list[Finding]  # findings[i] reports sites[i]
    classes: list[ClassInfo] = field(default_factory=list)  # every class
    # The file's own tree: `module` has names in NFKC form when the file is not ASCII.
    written: libcst.Module | None = None


def analyse_source(
    source: str,
    settings: Settings,
    tree: ast.AST | None = None,
    screens: bool = True,
) -> Checked:
    """The fixer's view: the screens, then libcst's tree and the judge's sites in it."""
    found_screen = prescreen(source, tree, settings.star_resolver()) if screens else None
    if screens and found_screen is None:
        return Checked(None, [], [])
    ast_tree = found_screen.tree if found_screen is not None else tree
    module = parse_cst(source, ast_tree)
    written = module  # the fixer rewrites the file's own tree
    if not source.isascii():
        module = _normalized_names(module)
    from .analysis import analyse

    try:
        with deep_recursion():
            analysis = analyse(module, settings)
    except RecursionError:
        raise SourceError("too deeply nested for libcst to analyse") from None
    if not analysis.sites:
        return Checked(module, [], [], analysis.classes, written)
    positions = _positions(analysis, module, written, found_screen, source)
    findings = []
    for site, (line, column) in zip(analysis.sites, positions):
        spelled = module.code_for_node(site.node.func)
        findings.append(_finding(site, line, column, spelled))
    return Checked(module, analysis.sites, findings, analysis.classes, written)


def _finding(site: Site, line: int, column: int, spelled: str) -> Finding:
    """A site's finding; `spelled`: its function as written (whitespace is folded)."""
    applicability = (
        FIX_APPLICABILITY[site.code] if site.receiver is not None else Applicability.NONE
    )
    text = message(site.code, site.function, " ".join(spelled.split()))
    note = _no_receiver(site) if site.receiver is None else ""
    return Finding(line, column, site.code, text, applicability, note)


def _no_receiver(site: Site) -> str:
    """Why a call has no module to read `training` from (it is reported, never fixed)."""
    method = site.method
    if method.is_lambda:
        return "not fixed: in a lambda whose first parameter is not the module"
    for decorator in method.decorators:
        if decorator in ("staticmethod", "classmethod"):
            return f"not fixed: inside a @{decorator}"
    if method.receiver is None:
        return "not fixed: the method takes no receiver"
    return (
        f"not fixed: `{method.receiver}` is rebound here (a parameter of a nested "
        "function, a loop or comprehension target, an assignment), so it may not be the module"
    )


def check(
    source: str,
    settings: Settings,
    tree: ast.AST | None = None,
    screens: bool = True,
) -> list[Finding]:
    """Every finding in `source`, sorted, `# noqa` not applied (see noqa.py).

    The judge reads the `ast` tree (ast_judge.py): reporting never loads libcst.
    """
    found_screen = prescreen(source, tree, settings.star_resolver()) if screens else None
    if screens and found_screen is None:
        return []
    module = found_screen.tree if found_screen is not None else tree
    if module is None:
        module = parse_ast(source)
    from .ast_judge import judge_tree

    try:
        with deep_recursion():
            analysis = judge_tree(module, settings)  # type: ignore[arg-type]
    except RecursionError:
        raise SourceError("too deeply nested to analyse") from None
    lines = split_lines(source) if analysis.sites else []
    findings = []
    for site in analysis.sites:
        line = site.node.lineno
        column = _characters(lines[line - 1], site.node.col_offset)
        findings.append(_finding(site, line, column, _spelled(lines, site.node)))
    return sorted(findings)


def _characters(line: str, byte_column: int) -> int:
    """`ast`'s UTF-8 byte column as a column in characters."""
    if line.isascii():
        return byte_column
    return len(line.encode("utf-8")[:byte_column].decode("utf-8", "replace"))


def _spelled(lines: list[str], call: ast.Call) -> str:
    """The called expression as written, with the parentheses around it (as libcst's
    `code_for_node` gives it) and names in their NFKC form (as Python compares them).

    `ast` leaves a parenthesized callee's parentheses out of its range, not out
    of the call's: those between the two starts are closed right after the callee.
    """
    func = call.func

    def at(line: int, byte_column: int) -> tuple[int, int]:
        return line, _characters(lines[line - 1], byte_column)

    start = at(call.lineno, call.col_offset)
    end = at(func.end_lineno or func.lineno, func.end_col_offset or 0)
    # Only brackets, spaces, backslashes and comments surround the callee: a `#` there
    # always starts a comment, whose `(` or `)` is text.
    before = _text(lines, start, at(func.lineno, func.col_offset))
    wrapped = sum(line.split("#", 1)[0].count("(") for line in before.split("\n"))
    text = _text(lines, start, end)
    if wrapped:
        after = _text(lines, end, at(call.end_lineno or end[0], call.end_col_offset or 0))
        text += after[: _closing(after, wrapped)]
    if not text.isascii():
        import unicodedata

        def names(line: str) -> str:  # a comment keeps its spelling (as libcst's names do)
            code, hash_, comment = line.partition("#")
            return unicodedata.normalize("NFKC", code) + hash_ + comment

        text = "\n".join(names(line) for line in text.split("\n"))
    return text


def _closing(text: str, count: int) -> int:
    """Where the `count`-th `)` outside comments of `text` ends."""
    in_comment = False
    for i, char in enumerate(text):
        if in_comment:
            in_comment = char != "\n"
        elif char == "#":
            in_comment = True
        elif char == ")":
            count -= 1
            if count == 0:
                return i + 1
    return len(text)


def _text(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    """The source between two (line, character column) positions."""
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1] : end[1]]
    middle = lines[start[0] : end[0] - 1]
    return "\n".join([lines[start[0] - 1][start[1] :], *middle, lines[end[0] - 1][: end[1]]])


_INDENT_FORM_FEED = re.compile(r"^[ \t\f]*\f", re.MULTILINE)


def _positions(
    analysis, module, written, found_screen: Screen | None, source: str
) -> list[tuple[int, int]]:
    """Call positions: from the `ast` screen when it lines up, else libcst metadata.

    The metadata is read on the file's own tree (`written`): in the NFKC tree a name
    before the call may be longer (`ﬁ` is `fi`), which would shift its column.
    """
    if found_screen is not None and len(found_screen.candidates) == analysis.candidate_count:
        lines = split_lines(source)
        positions = []
        for site in analysis.sites:
            line, byte_column = found_screen.position(site.ordinal)
            positions.append((line, _characters(lines[line - 1], byte_column)))
        if all(_name_at(lines, pos, site) for pos, site in zip(positions, analysis.sites)):
            return positions
    import libcst.metadata

    wrapper = libcst.metadata.MetadataWrapper(written, unsafe_skip_copy=True)
    ranges = wrapper.resolve(libcst.metadata.PositionProvider)
    nodes = [site.node for site in analysis.sites]
    if written is not module:
        pairs = pair_nodes(module, written)
        nodes = [pairs[id(node)] for node in nodes]
    # Like `ast`, libcst leaves the call's own parentheses out of its range.
    starts = [ranges[node].start for node in nodes]
    return [(start.line, start.column) for start in starts]


def pair_nodes(normalized, written) -> dict[int, Any]:  # libcst nodes
    """id(node of the NFKC tree) -> the same node of the file's own tree.

    The two trees differ only in the spelling of names, so they have the same shape.
    """
    pairs: dict[int, Any] = {}
    todo = [(normalized, written)]
    while todo:
        left, right = todo.pop()
        pairs[id(left)] = right
        todo.extend(zip(left.children, right.children))
    return pairs


def _normalized_names(module):  # libcst.Module -> libcst.Module
    """Identifiers as Python compares them: `ｓelf` is `self` (PEP 3131, NFKC).

    libcst keeps names as written and the judge compares them as text; `ast`
    (and so the screens and the check) sees the normalized form. The fixer's
    judge reads this tree, so it agrees with Python and with the check; the
    fixer rewrites the file's own tree (`Checked.written`), keeping its spelling.
    """
    import unicodedata

    import libcst

    class Normalize(libcst.CSTTransformer):
        def leave_Name(self, original_node, updated_node):
            value = updated_node.value
            if value.isascii():
                return updated_node
            return updated_node.with_changes(value=unicodedata.normalize("NFKC", value))

    class Spelled(libcst.CSTVisitor):  # most non-ASCII files only have it in text
        def __init__(self) -> None:
            self.found = False

        def visit_Name(self, node) -> None:
            if not node.value.isascii():
                self.found = True

    spelled = Spelled()
    with deep_recursion():
        module.visit(spelled)
        return module.visit(Normalize()) if spelled.found else module


def _name_at(lines: list[str], position: tuple[int, int], site) -> bool:
    """Sanity check of the ast/libcst alignment: the call's text starts there."""
    import libcst

    line, column = position
    func = site.node.func
    first = func
    while isinstance(first, libcst.Attribute):
        first = first.value
    text = lines[line - 1]
    if isinstance(first, libcst.Name) and not site.node.lpar and not func.lpar:
        if not text.isascii():  # names may be in their NFKC form (_normalized_names)
            import unicodedata

            text = text[:column] + unicodedata.normalize("NFKC", text[column:])
        return text.startswith(first.value, column)
    return True
