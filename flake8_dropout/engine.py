"""Source -> findings: the screens first, libcst only where a finding can be.

Both front ends (the flake8 plugin and the command line) and the fixer call
`check`; nothing else decides what is reported.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .rules import FIX_APPLICABILITY, FUNCTION_NAMES, Applicability, Code, message
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


def parse_cst(
    source: str, tree: ast.AST | None = None, stubbed: frozenset[int] = frozenset()
) -> libcst.Module:
    """libcst's tree of `source` (libcst is imported only when needed).

    `tree`: `source`'s `ast` tree if the caller has it, less the nodes whose ids
    are in `stubbed`; see safe_parse.py for why libcst must not see a file
    nested too deeply.
    """
    ensure_cst_safe(source, tree, stubbed)
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
    report_only: bool = False,
) -> Checked:
    """Run the screens, then libcst only if a finding is possible.

    report_only: the caller needs the findings, not the tree: libcst gets only
    what the suspect calls depend on (see `focused`), with identifiers in the
    NFKC form Python compares them in (see `_NormalizedNames`), so
    `Checked.module` is then not the file's own tree.
    """
    found_screen = prescreen(source, tree, settings.star_resolver()) if screens else None
    if screens and found_screen is None:
        return Checked(None, [], [])
    if report_only and found_screen is not None:
        source, found_screen = focused(source, found_screen)
    shifts: dict[int, int] = {}
    ast_tree = found_screen.tree if found_screen is not None else tree
    stubbed = found_screen.stubbed if found_screen is not None else frozenset()
    try:
        module = parse_cst(source, ast_tree, stubbed)
    except SourceError:
        # Valid Python that libcst's tokenizer rejects: retry as Python reads it.
        if not report_only:
            raise
        cst_source, shifts = _as_python_reads_it(source)
        if cst_source == source:
            raise
        module = parse_cst(cst_source, ast_tree, stubbed)
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
    positions = _positions(analysis, module, found_screen, source, shifts)
    findings = []
    for site, (line, column) in zip(analysis.sites, positions):
        spelled = " ".join(module.code_for_node(site.node.func).split())
        applicability = (
            FIX_APPLICABILITY[site.code] if site.receiver is not None else Applicability.NONE
        )
        text = message(site.code, site.function, spelled)
        note = _no_receiver(site) if site.receiver is None else ""
        findings.append(Finding(line, column, site.code, text, applicability, note))
    return Checked(module, analysis.sites, findings, analysis.classes, written)


def _no_receiver(site: Site) -> str:
    """Why a call has no module to read `training` from (it is reported, never fixed)."""
    import libcst

    method = site.method.node
    if isinstance(method, libcst.Lambda):
        return "not fixed: in a lambda whose first parameter is not the module"
    for decorator in method.decorators:
        name = getattr(decorator.decorator, "value", None)
        if name in ("staticmethod", "classmethod"):
            return f"not fixed: inside a @{name}"
    if site.method.receiver is None:
        return "not fixed: the method takes no receiver"
    return (
        f"not fixed: `{site.method.receiver}` is rebound here (a parameter of a nested "
        "function, a loop or comprehension target, an assignment), so it may not be the module"
    )


def check(
    source: str,
    settings: Settings,
    tree: ast.AST | None = None,
    screens: bool = True,
) -> list[Finding]:
    """Every finding in `source`, sorted, `# noqa` not applied (see noqa.py)."""
    return sorted(analyse_source(source, settings, tree, screens, report_only=True).findings)


_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _base_roots(statement: ast.AST) -> Iterator[str]:
    """First names of the bases of every class in `statement`."""
    for node in ast.walk(statement):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                while isinstance(base, (ast.Attribute, ast.Subscript, ast.Starred)):
                    base = base.value
                if isinstance(base, ast.Name):
                    yield base.id


_DEFINED_NAME = re.compile(r"\s*(?:async\s+)?(?:def|class)\s+(\w+)")


def _written_name(line: str, normalized: str) -> str:
    """The name as written (libcst compares the text; `ast` gives the NFKC form)."""
    if normalized.isascii() and line.isascii():
        return normalized
    match = _DEFINED_NAME.match(line)
    return match.group(1) if match else normalized


class _Mentions:
    """Where the text mentions what a definition must hold to matter beyond its own calls.

    A cheap test on line numbers before walking a definition's tree: Python's
    keywords (`import`, `global`) are ASCII in every valid file, while an
    imported name may be spelled in another NFKC form on a non-ASCII line.
    """

    def __init__(self, lines: list[str]) -> None:
        self._global = [n for n, line in enumerate(lines, 1) if "global" in line]
        self._import = [n for n, line in enumerate(lines, 1) if "import" in line]
        self._dropout = [
            n for n, line in enumerate(lines, 1) if "dropout" in line or not line.isascii()
        ]

    @staticmethod
    def _within(numbers: list[int], start: int, end: int) -> bool:
        index = bisect.bisect_left(numbers, start)
        return index < len(numbers) and numbers[index] <= end

    def imports_a_dropout_name(self, statement: ast.AST, start: int, end: int) -> bool:
        """`from x import dropout as d` anywhere makes `d(...)` a candidate call for libcst."""
        return (
            self._within(self._import, start, end)
            and self._within(self._dropout, start, end)
            and any(
                isinstance(node, ast.ImportFrom)
                and any(a.name in FUNCTION_NAMES for a in node.names)
                for node in ast.walk(statement)
            )
        )

    def declares_global(self, statement: ast.AST, start: int, end: int) -> bool:
        """A `global x` inside binds the module's `x` where it is assigned."""
        return self._within(self._global, start, end) and any(
            isinstance(node, ast.Global) for node in ast.walk(statement)
        )


def _header_binds(statement: ast.AST) -> bool:
    """A `:=` in a decorator, base, default or annotation binds a module-level name."""
    header = [
        *getattr(statement, "decorator_list", ()),
        *getattr(statement, "bases", ()),
        *(k.value for k in getattr(statement, "keywords", ())),
    ]
    arguments = getattr(statement, "args", None)
    if arguments is not None:
        header.append(arguments)
    returns = getattr(statement, "returns", None)
    if returns is not None:
        header.append(returns)
    return any(isinstance(node, ast.NamedExpr) for part in header for node in ast.walk(part))


def _idle_methods(
    cls: ast.ClassDef, suspect_lines: list[int], mentions: _Mentions
) -> Iterator[tuple[ast.stmt, int, int, bool]]:
    """(method, first line, last line, keep a stub) of each method of `cls` that cannot matter.

    A finding depends on its own method only (its receiver, its guards) and on
    the class's name, bases and whether it defines `forward` (method names bound
    in the class body are not seen from inside its methods): a method with no
    suspect call is cut out, leaving a stub only for `forward` and for the first
    statement (the body must not end up empty). Nested classes stay whole (one
    may be another's base).
    """
    for position, member in enumerate(cls.body):
        if not isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        start = min([member.lineno, *(d.lineno for d in member.decorator_list)])
        end = member.end_lineno or member.lineno
        if any(start <= line <= end for line in suspect_lines):
            continue
        if (
            _header_binds(member)
            or mentions.declares_global(member, start, end)
            or mentions.imports_a_dropout_name(member, start, end)
        ):
            continue
        yield member, start, end, position == 0 or member.name == "forward"


def focused(source: str, found: Screen) -> tuple[str, Screen]:
    """`source` with every top-level def and class that cannot matter stubbed out.

    libcst costs far more than `ast`, and a file with a finding is often large
    while its suspect calls sit in one or two classes. What a suspect call's
    verdict depends on is kept whole: the top-level definitions holding a
    suspect, their same-file base classes (transitively, by name), and every
    statement that is not a definition (imports, assignments, `if`/`try`
    blocks), and definitions whose header binds a name with `:=` or that
    declare a name `global`. Any other definition becomes `def name(): pass`
    or `class name: pass`, its body a string literal when it spans lines, so
    the module binds the same names in the same order and every kept line
    keeps its number and columns. The screen's candidate list loses the calls
    that were in stubbed lines, so ordinals still line up with libcst's.
    """
    body = getattr(found.tree, "body", None)
    if not body:
        return source, found
    suspect_lines = [call.lineno for call in found.suspects]
    lines = _LINE.findall(source)  # numbered as Python numbers them (not str.splitlines)
    mentions = _Mentions(lines)
    spans: dict[int, tuple[int, int]] = {}
    classes: dict[str, list[int]] = {}
    keep: set[int] = set()
    for index, statement in enumerate(body):
        if not isinstance(statement, _DEFINITIONS):
            keep.add(index)
            continue
        start = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
        end = statement.end_lineno or statement.lineno
        spans[index] = (start, end)
        if (
            any(start <= line <= end for line in suspect_lines)
            or _header_binds(statement)
            or mentions.imports_a_dropout_name(statement, start, end)
            or mentions.declares_global(statement, start, end)
        ):
            keep.add(index)
        if isinstance(statement, ast.ClassDef):
            classes.setdefault(statement.name, []).append(index)
    todo = list(keep)  # bases of classes inside `if`/`try` blocks count too
    while todo:
        for name in _base_roots(body[todo.pop()]):
            for index in classes.get(name, ()):
                if index not in keep:
                    keep.add(index)
                    todo.append(index)
    stubbed = [(body[i], *spans[i], True) for i in spans if i not in keep]
    for index in keep:  # methods of a kept class that hold no suspect call
        statement = body[index]
        if isinstance(statement, ast.ClassDef):
            stubbed.extend(_idle_methods(statement, suspect_lines, mentions))
    if not stubbed:
        return source, found
    cut = frozenset(id(each[0]) for each in stubbed)
    blank: set[int] = set()
    for statement, start, end, stub in _merged_cuts(stubbed, lines):
        first = lines[start - 1]
        ending = first[len(first.rstrip("\r\n")) :]
        indent = first[: len(first) - len(first.lstrip(" \t\f"))]
        if stub:
            keyword = "class" if isinstance(statement, ast.ClassDef) else "def"
            signature = "" if keyword == "class" else "()"
            assert isinstance(statement, _DEFINITIONS)  # only definitions are cut
            name = _written_name(lines[statement.lineno - 1], statement.name)
            head = f"{indent}{keyword} {name}{signature}: "
        else:
            head = indent  # a method cut out: a string statement keeps the body valid
        blank.update(range(start, end + 1))
        if start == end:
            lines[start - 1] = f"{head}pass{ending}"
            continue
        # The cut lines become one string literal: one token for libcst, where
        # empty lines cost a node each, and every kept line keeps its number.
        lines[start - 1] = f'{head}"""{ending}'
        for number in range(start + 1, end):
            line = lines[number - 1]
            lines[number - 1] = line[len(line.rstrip("\r\n")) :]
        last = lines[end - 1]
        lines[end - 1] = '"""' + last[len(last.rstrip("\r\n")) :]
    kept = [call for call in found.candidates if call.lineno not in blank]
    return "".join(lines), Screen(found.suspicious, kept, found.suspects, found.tree, cut)


def _merged_cuts(
    stubbed: list[tuple[ast.stmt, int, int, bool]], lines: list[str]
) -> list[tuple[ast.stmt, int, int, bool]]:
    """Methods cut out one after another (no stub kept) become one cut, in line order.

    Only blank and comment lines may stand between them: those hold no statement.
    """
    merged: list[tuple[ast.stmt, int, int, bool]] = []
    for statement, start, end, stub in sorted(stubbed, key=lambda each: each[1]):
        if merged and not stub and not merged[-1][3]:
            previous, first, last, _ = merged[-1]
            between = lines[last : start - 1]  # the lines after `last`, before `start`
            if all(not line.strip() or line.lstrip().startswith("#") for line in between):
                merged[-1] = (previous, first, end, False)
                continue
        merged.append((statement, start, end, stub))
    return merged


_INDENT_FORM_FEED = re.compile(r"^[ \t\f]*\f", re.MULTILINE)
_LONE_CONTINUATION = re.compile(r"(?:^|(?<=[\r\n]))[ \t\f]*\\(?=\r\n|\r|\n)")


def _as_python_reads_it(source: str) -> tuple[str, dict[int, int]]:
    """`source` without what libcst rejects in valid Python, and line -> columns dropped.

    Form feeds at line starts (see `_indent_form_feeds_dropped`), and a line
    holding only a `\\` continuation (`    \\` + CR), which Python joins to the
    next line. Only used after libcst failed: the second rule would also touch
    a `\\` line inside a string.
    """
    shifts: dict[int, int] = {}
    if "\f" in source:
        source, shifts = _indent_form_feeds_dropped(source)
    return _LONE_CONTINUATION.sub("", source), shifts


def _indent_form_feeds_dropped(source: str) -> tuple[str, dict[int, int]]:
    """`source` without the form feeds that start lines, and line -> characters dropped.

    Python resets the indentation count at a form feed (`\\f    return x` is
    indented 4); libcst's tokenizer does not, and rejects valid files. Only
    the leading whitespace up to the last form feed goes, so the indentation is
    what Python sees; columns on those lines are shifted back by `shifts`.
    """
    shifts: dict[int, int] = {}
    line, scanned = 1, 0

    def drop(match: re.Match) -> str:
        nonlocal line, scanned
        line += source.count("\n", scanned, match.start())
        scanned = match.start()
        shifts[line] = len(match.group())
        return ""

    return _INDENT_FORM_FEED.sub(drop, source), shifts


def _positions(
    analysis, module, found_screen: Screen | None, source: str, shifts: dict[int, int] | None = None
) -> list[tuple[int, int]]:
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
    shifts = shifts or {}
    return [(start.line, start.column + shifts.get(start.line, 0)) for start in starts]


def _normalized_names(module):  # libcst.Module -> libcst.Module
    """Identifiers as Python compares them: `ｓelf` is `self` (PEP 3131, NFKC).

    libcst keeps names as written and the engine compares them as text; `ast`
    (and so the screens) sees the normalized form. The check and the fixer both
    judge this tree, so they agree with Python and with each other; the fixer
    rewrites the file's own tree (`Checked.written`), keeping its spelling.
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
