"""Cheap, sound screens that keep `ast` and libcst away from files that cannot hold a finding.

"Sound" means: if the libcst engine (`engine.check(..., screens=False)`) would
report a call, the screens say "maybe". They may say "maybe" too often, never
too rarely; tests/test_screens.py checks this on the case files, on hand-written
tricky layouts and on generated files, and tests/test_cases.py checks that the
screens on and off give the same findings.

Two levels:

- `text_screen`, when no tree is given (the command line and the fixer): text
  only, then `ast` on the top-level blocks that hold a possible call instead of
  on the whole file. Most files end here, unparsed.
- `screen`, on an `ast` tree (flake8 parses the file anyway): candidate calls,
  their positions, and whether libcst is needed at all.

Every claim below is about files that Python can parse: a file that the engine
cannot parse has no findings, only an error, and the command line reports
syntax errors of discovered files only when the screens let them through.
"""

from __future__ import annotations

import ast
import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .rules import FUNCTION_NAMES, FUNCTIONS


def text_may_hold_finding(source: str) -> bool:
    """Every reported call names a dropout function and resolves through a torch import."""
    return "dropout" in source and "torch" in source


# --- text level: what imports may bind ----------------------------------------------------


_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_COMMENT = re.compile(r"#[^\n]*")
_INLINE_GAP = re.compile(r"(?:[ \t\f]|\\\n)*")


_ASCII_IDENTIFIER_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
)


def _is_identifier_char(char: str) -> bool:
    return char in _ASCII_IDENTIFIER_CHARS or (not char.isascii() and ("a" + char).isidentifier())


def _words(source: str, word: str):
    """Offsets of `word` as a whole identifier (`str.find`: far faster than `\\b` regexes)."""
    size = len(word)
    position = source.find(word)
    while position >= 0:
        end = position + size
        if not (position and _is_identifier_char(source[position - 1])) and not (
            end < len(source) and _is_identifier_char(source[end])
        ):
            yield position
        position = source.find(word, end)


def _statement_end(source: str, start: int) -> int:
    """End of the import statement whose names start at `start`.

    After `(`: the matching `)`, skipping comments (a real import holds only
    names, dots, commas, `as`, comments and line breaks inside its brackets).
    Else: the end of the line, following backslash continuations. A comment
    that ends in a backslash extends the text too far, which only adds names.
    """
    size = len(source)
    if source.startswith("(", start):
        position = start + 1
        while True:
            close = source.find(")", position)
            if close < 0:
                return size
            hash_ = source.find("#", position, close)
            if hash_ < 0:
                return close + 1
            newline = source.find("\n", hash_)
            if newline < 0:
                return size
            position = newline
    position = start
    while True:
        newline = source.find("\n", position)
        if newline < 0:
            return size
        if source[newline - 1] != "\\":
            return newline
        position = newline + 1


def _with_normal_forms(words: set[str]) -> set[str]:
    """Python compares identifiers in NFKC form (`ast` shows that form); libcst the text."""
    return words | {unicodedata.normalize("NFKC", w) for w in words if not w.isascii()}


class ImportNames:
    """What the file's import statements may bind each name to, read from the text.

    The engine resolves a call only through import bindings: `Scope.resolve`
    returns one of the targets that the name's import statements give it (in
    any scope of the file; `_target` returns a target only when all bindings
    agree, so always one of them), OTHER, a builtin or None, and `qualify`
    appends the chain's attributes (skipping subscripts). Only
    `from torch.nn.functional import *` binds names through a star; another
    star import makes unbound names None. So a call can be a finding only if
    its root name has an import target T such that T + the rest of the chain
    is a key of `rules.FUNCTIONS` (`possible`).

    Every import statement holds an `import` keyword, and every name it binds
    is written in its text (`import a.b` binds `a`, `from m import (x as y)`
    binds `y`), except star bindings. Each `import` keyword (in code, strings
    or comments alike) gives a text: from the statement's `from`, if the words
    before the keyword are a `from` and a module, else from the keyword, to the
    statement's end (`_statement_end`, which may reach too far). For a real
    statement this text starts where the statement starts, at a fresh token,
    so `ast.parse` reads the statement exactly as in the file: its (name,
    target) pairs are exact. A text that does not parse gives its names every
    target ("could be anything"). Texts from strings and comments only add
    pairs. Texts are parsed lazily, only those that write a name asked about
    (names keyed in NFKC form, as `ast` gives them; libcst compares the
    written names, so equal written names have equal keys).
    """

    def __init__(
        self,
        source: str,
        statements: list[tuple[int, int, int]],
        stars: list[tuple[int, int]],
        aliases: frozenset[str],
    ) -> None:
        self.aliases = aliases  # may be `ALIAS` of `from X import dropout as ALIAS`
        self._source = source
        # (`import` keyword, start and end of the names after it): the names bound are there.
        self._statements = statements
        self._index: dict[str, list[int]] | None = None  # word -> statements writing it
        self._always: list[int] = []  # non-ASCII names: a regex may split their identifiers
        self._parsed: dict[int, list[tuple[str, str]] | None] = {}
        self._targets: dict[str, frozenset[str] | None] = {}
        self._star: dict[str, set[str]] = {}
        for keyword, end in stars:
            pairs = _import_pairs(self._text(keyword, end))
            if pairs is None:  # a star import we cannot read: it may be torch.nn.functional's
                pairs = list(_star_pairs("torch.nn.functional"))
            for bound, target in pairs:
                self._star.setdefault(bound, set()).add(target)

    def _text(self, keyword: int, end: int) -> str:
        return self._source[_statement_start(self._source, keyword) : end]

    def _build_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for number, (_, start, end) in enumerate(self._statements):
            names = self._source[start:end]
            if not names.isascii():
                self._always.append(number)
                continue
            for word in set(_identifiers(names)):
                index.setdefault(word, []).append(number)
        return index

    def targets(self, name: str) -> frozenset[str] | None:
        """Every target the file's imports may bind `name` to; None: anything."""
        key = name if name.isascii() else unicodedata.normalize("NFKC", name)
        if key in self._targets:
            return self._targets[key]
        if self._index is None:
            self._index = self._build_index()
        found: set[str] | None = set(self._star.get(key, ()))
        for number in {*self._index.get(key, ()), *self._always}:
            if number not in self._parsed:
                keyword, _, end = self._statements[number]
                self._parsed[number] = _import_pairs(self._text(keyword, end))
            pairs = self._parsed[number]
            if pairs is None:
                found = None
                break
            found.update(target for bound, target in pairs if bound == key)  # type: ignore[union-attr]
        result = None if found is None else frozenset(found)
        self._targets[key] = result
        return result

    def possible(self, root: str, rest: str) -> bool:
        """Could `root` + `rest` (".a.dropout", or "" for a bare name) name a dropout function?"""
        return may_name_a_function(self.targets(root), rest)


def may_name_a_function(targets: Iterable[str] | None, rest: str) -> bool:
    """Some target + `rest` is a key of rules.FUNCTIONS (None: any target)."""
    return targets is None or any(target + rest in FUNCTIONS for target in targets)


def _star_pairs(prefix: str):
    for name in FUNCTION_NAMES:
        yield name, f"{prefix}.{name}"


def import_pairs(node: ast.Import | ast.ImportFrom):
    """(bound name, target) of one import statement, as analysis._Collector binds them."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:
                yield alias.asname, alias.name
            else:
                head = alias.name.split(".", 1)[0]
                yield head, head
        return
    prefix = "." * node.level + (node.module or "")
    joiner = "" if prefix.endswith(".") else "."
    for alias in node.names:
        if alias.name == "*":
            if prefix == "torch.nn.functional":
                yield from _star_pairs(prefix)
            continue
        yield alias.asname or alias.name, f"{prefix}{joiner}{alias.name}"


def _import_pairs(text: str) -> list[tuple[str, str]] | None:
    """The pairs of the import statements at the top level of `text`; None: it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return [
        pair
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for pair in import_pairs(node)
    ]


def _statement_start(source: str, keyword: int) -> int:
    """Where the import statement of the `import` keyword at `keyword` starts.

    The `from` before it, when the words between are a module (names and dots,
    with blanks and continuations): `from` is a keyword, so no module holds it.
    Else the keyword itself.
    """
    position = keyword
    while True:
        position = _back(source, position)
        if position and source[position - 1] == ".":
            position -= 1
            continue
        end = position
        while position and _is_identifier_char(source[position - 1]):
            position -= 1
        if position == end:
            return keyword
        if source[position:end] == "from":
            return position


def _identifiers(text: str) -> list[str]:
    return _IDENTIFIER.findall(text)


def import_names(source: str) -> ImportNames:
    """The text of each import statement (see ImportNames), and the aliases of dropout names.

    Every name an import binds is written after its `import` keyword. An
    `import` inside a string or a comment only adds texts and names.
    """
    statements: list[tuple[int, int, int]] = []
    stars: list[tuple[int, int]] = []
    aliases: set[str] = set()
    for keyword in _words(source, "import"):
        start = _INLINE_GAP.match(source, keyword + 6).end()  # type: ignore[union-attr]
        end = _statement_end(source, start)
        if source.startswith("*", start):
            stars.append((keyword, end))
            continue
        statements.append((keyword, start, end))
        names = source[start:end]
        if "dropout" in names:  # every dropout function's name holds it
            words = _identifiers(_COMMENT.sub(" ", names) if "#" in names else names)
            if not FUNCTION_NAMES.isdisjoint(words):
                aliases.update(after for before, after in zip(words, words[1:]) if before == "as")
    return ImportNames(source, statements, stars, frozenset(_with_normal_forms(aliases)))


# --- text level: where a candidate call may stand -----------------------------------------


# Between a called name and its `(`: blanks, line breaks (inside brackets),
# backslash continuations and comments.
_GAP = re.compile(r"(?:[ \t\f\n]|\\\n|#[^\n]*)*")


def _back(source: str, index: int) -> int:
    """Step back over blanks and backslash continuations; source[result - 1] is next."""
    while True:
        while index > 0 and source[index - 1] in " \t\f":
            index -= 1
        if index >= 2 and source[index - 1] == "\n" and source[index - 2] == "\\":
            index -= 2
            continue
        return index


def _may_continue_a_chain(source: str, line_start: int) -> bool:
    """Could the first token of this line follow a `.` on an earlier line (inside brackets)?

    Such a `.` ends the nearest non-blank line before, or a comment follows it.
    """
    end = line_start - 1
    while end >= 0:
        start = source.rfind("\n", 0, end) + 1
        line = source[start:end]
        if line.strip():
            return "#" in line or line.rstrip().endswith(".")
        end = start - 1
    return False


def _chain(source: str, dot: int, name: str) -> tuple[str, str] | None:
    """The dotted chain ending in `.name` with `.` at `dot`: (first name, the rest).

    The rest is what analysis.qualify appends to the first name's target:
    `torch.nn.functional.dropout` gives ("torch", ".nn.functional.dropout").
    None when unsure: a chain across lines, a `)` or `]` before it (the engine
    reads `(torch.nn).functional` and `nn[0].functional` through), or anything odd.
    """
    rest = [name]
    while True:
        end = _back(source, dot)
        start = end
        while start > 0 and source[start - 1] in _ASCII_IDENTIFIER_CHARS:
            start -= 1
        if start == end or (start > 0 and not source[start - 1].isascii()):
            return None
        before = _back(source, start)
        if before > 0 and source[before - 1] == ".":
            rest.append(source[start:end])
            dot = before - 1
            continue
        at_line_start = before == 0 or source[before - 1] == "\n"
        if at_line_start and _may_continue_a_chain(source, before):
            return None
        return source[start:end], "".join("." + part for part in reversed(rest))


def _may_resolve(source: str, start: int, name: str, names: ImportNames) -> bool:
    """Could the engine resolve this called name to a torch dropout function?

    `X.Y.name(...)`: only if some import target of `X`, followed by `.Y.name`,
    is a dropout function (analysis.qualify; see ImportNames). A bare
    `name(...)`: only if some import target of `name` is one. A name that
    starts its line may also end a chain begun on an earlier line.
    """
    before = _back(source, start)
    if before > 0 and source[before - 1] == ".":
        chain = _chain(source, before - 1, name)
        return chain is None or names.possible(*chain)
    if names.possible(name, ""):
        return True
    return (before == 0 or source[before - 1] == "\n") and _may_continue_a_chain(source, before)


def call_sites(source: str, names: ImportNames) -> list[int]:
    """Offsets of every text that may be a candidate call the engine can resolve.

    A candidate call's function is a dropout name or an alias (analysis
    `_Collector.visit_Call`), written as a whole word and followed, after
    blanks, comments and continuations, by its `(` or by the `)` of a
    parenthesised function: `(F.dropout)(x)`.
    """
    size = len(source)
    found = []

    def consider(start: int, end: int, name: str) -> None:
        after = _GAP.match(source, end).end()  # type: ignore[union-attr]
        called = after < size and source[after] in "()"
        if called and _may_resolve(source, start, name, names):
            found.append(start)

    # Every dropout function's name contains "dropout": find it, then the whole word.
    position = source.find("dropout")
    while position >= 0:
        start, end = position, position + 7
        while start and _is_identifier_char(source[start - 1]):
            start -= 1
        while end < size and _is_identifier_char(source[end]):
            end += 1
        if source[start:end] in FUNCTION_NAMES:
            consider(start, end, source[start:end])
        position = source.find("dropout", end)
    for alias in names.aliases - FUNCTION_NAMES:
        for start in _words(source, alias):
            consider(start, start + len(alias), alias)
    return sorted(found)


# --- text level: strings and comments -------------------------------------------------------

_QUOTE_OR_HASH = re.compile(r"[#'\"]")
_PREFIXES = frozenset({"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"})
_STRING_END = {
    '"""': re.compile(r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'),
    "'''": re.compile(r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"),
    '"': re.compile(r'[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'),
    "'": re.compile(r"[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"),
}
_F_LITERAL_STOP = {'"': re.compile(r'[\\{}\n"]'), "'": re.compile(r"[\\{}\n']")}
_F_FIELD_STOP = re.compile(r"[\\'\"()\[\]{}#:!]")


def _string_at(source: str, quote: int) -> tuple[int, int, bool] | None:
    """(start, end, formatted) of the string literal whose first quote is at `quote`.

    The prefix is the whole word before the quote if it is a string prefix:
    `if"a"` is the keyword `if` and a plain string. None: unterminated.
    """
    start = quote
    while start > 0 and source[start - 1] in _ASCII_IDENTIFIER_CHARS:
        start -= 1
    prefix = source[start:quote].lower()
    if prefix not in _PREFIXES:
        prefix, start = "", quote
    mark = source[quote]
    delimiter = mark * 3 if source.startswith(mark * 3, quote) else mark
    body = quote + len(delimiter)
    if "f" in prefix or "t" in prefix:
        end = _f_literal(source, body, delimiter, "r" in prefix, False)
        return None if end is None else (start, end, True)
    match = _STRING_END[delimiter].match(source, body)
    return None if match is None else (start, match.end(), False)


def _f_literal(source: str, position: int, delimiter: str, raw: bool, spec: bool) -> int | None:
    """Scan the literal part of an f-string (or a format spec, `spec`).

    Returns the index after the closing delimiter, or for a format spec the
    index of the `}` that closes its field; None when malformed. Replacement
    fields follow PEP 701 (Python 3.12: any quotes, comments and line breaks
    inside); a valid Python 3.11 f-string scans the same either way.
    """
    stop = _F_LITERAL_STOP[delimiter[0]]
    triple = len(delimiter) == 3
    while True:
        match = stop.search(source, position)
        if match is None:
            return None
        index = match.start()
        char = source[index]
        if char == "\\":
            if not raw and source.startswith("N{", index + 1):  # \N{NAME}: no field
                close = source.find("}", index)
                if close < 0:
                    return None
                position = close + 1
            elif source.startswith(("{", "}"), index + 1):
                position = index + 1  # `\{x}` is a backslash and a field
            else:
                position = index + 2
        elif char == "{":
            if not spec and source.startswith("{", index + 1):
                position = index + 2
            else:
                end = _f_field(source, index + 1, delimiter, raw)
                if end is None:
                    return None
                position = end
        elif char == "}":
            if spec:
                return index
            position = index + (2 if source.startswith("}", index + 1) else 1)
        elif char == "\n":
            if not triple:
                return None
            position = index + 1
        elif source.startswith(delimiter, index):
            return None if spec else index + len(delimiter)
        else:
            position = index + 1


def _f_field(source: str, position: int, delimiter: str, raw: bool) -> int | None:
    """Scan a replacement field from after its `{`: the index after its `}`, or None."""
    depth = 0
    while True:
        match = _F_FIELD_STOP.search(source, position)
        if match is None:
            return None
        index = match.start()
        char = source[index]
        position = index + 1
        if char in "'\"":
            found = _string_at(source, index)
            if found is None:
                return None
            position = found[1]
        elif char in "([{":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "}":
            if depth <= 0:
                return index + 1
            depth -= 1
        elif char == "#":
            newline = source.find("\n", index)
            if newline < 0:
                return None
            position = newline
        elif char == ":" and depth <= 0:
            end = _f_literal(source, index + 1, delimiter, raw, True)
            return None if end is None else end + 1
        elif char == "\\":
            position = index + 2
        # `!r`, `!=` and a `:` inside brackets need nothing.


@dataclass
class _Regions:
    """Strings and comments, in source order: starts, ends, and whether code may be inside."""

    starts: list[int]
    ends: list[int]
    formatted: list[bool]  # f-strings hold code in their replacement fields

    def at(self, offset: int) -> int:
        """Index of the region holding `offset`, or -1."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index if index >= 0 and offset < self.ends[index] else -1


def _regions(source: str) -> _Regions | None:
    """Every string literal and comment, as Python's tokenizer finds them; None if unsure.

    A `#` outside a string starts a comment and a quote outside a comment
    starts a string, so one forward pass finds them all. Unterminated or
    malformed literals give None: then nothing is decided from the text.
    """
    starts: list[int] = []
    ends: list[int] = []
    formatted: list[bool] = []
    search = _QUOTE_OR_HASH.search
    position = 0
    while True:
        match = search(source, position)
        if match is None:
            return _Regions(starts, ends, formatted)
        index = match.start()
        if source[index] == "#":
            end = source.find("\n", index)
            end = len(source) if end < 0 else end
            starts.append(index)
            ends.append(end)
            formatted.append(False)
            position = end
            continue
        found = _string_at(source, index)
        if found is None:
            return None
        starts.append(found[0])
        ends.append(found[1])
        formatted.append(found[2])
        position = found[1]


# --- text level: the top-level blocks to parse ---------------------------------------------

# `class` and `def` are hard keywords: at column 0 outside a string, such a line
# starts a top-level statement (no expression, bracket or continuation holds them).
_BLOCK_START = re.compile(r"(?:class|def|async[ \t]+def)\b")
_BLOCK_END = re.compile(r"(?:(?:class|def|async[ \t]+def)\b|@)")
_START_MARKS = ("\nclass", "\ndef", "\nasync")
_END_MARKS = (*_START_MARKS, "\n@")


def _block_start(source: str, site: int, regions: _Regions) -> int:
    """The nearest `class`/`def` line at column 0 outside strings before `site`, else 0."""
    limit = site
    while True:
        mark = max(source.rfind(m, 0, limit) for m in _START_MARKS)
        if mark < 0:
            return 0
        if _BLOCK_START.match(source, mark + 1) and regions.at(mark + 1) < 0:
            return mark + 1
        limit = mark


def _block_end(source: str, site: int, regions: _Regions) -> int:
    """The next `class`/`def`/decorator line at column 0 outside strings after `site`."""
    position = site
    while True:
        found = [i for i in (source.find(m, position) for m in _END_MARKS) if i >= 0]
        if not found:
            return len(source)
        mark = min(found)
        if _BLOCK_END.match(source, mark + 1) and regions.at(mark + 1) < 0:
            return mark + 1
        position = mark + 1


def _blocks(source: str, sites: list[int], regions: _Regions) -> list[tuple[int, int]]:
    """Merged [start, end) ranges of whole top-level statements around each site.

    Start: the nearest `class`/`def` line at column 0 outside any string at or
    before the site (or the file's start); a real statement start, so parsing
    from there tokenizes exactly as the whole file does. End: the next such
    line or decorator after the site, or the end of the file. Parsed from a
    real start, a cut inside a string, brackets or a continuation leaves
    something unclosed, a SyntaxError; else it falls between statements. So a
    block that parses holds complete top-level statements, each parsed as in
    the file: the call's enclosing classes and functions come with it.
    """
    blocks: list[tuple[int, int]] = []
    for site in sites:  # in source order
        if blocks and site < blocks[-1][1]:
            continue  # covered: blocks end after their last site
        start = _block_start(source, site, regions)
        end = _block_end(source, site, regions)
        if blocks and start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(end, blocks[-1][1]))
        else:
            blocks.append((start, end))
    return blocks


@dataclass
class TextVerdict:
    """The text screen's answer; `tree` is the whole file's when it had to parse it all."""

    possible: bool
    tree: ast.AST | None = None


def text_screen(source: str) -> TextVerdict:
    """Whether a finding is possible, from the text and `ast` on a few blocks only.

    1. Candidate calls that may resolve to torch (`call_sites`); none: no finding.
    2. Those inside comments and plain strings are dropped (f-strings can hold calls).
    3. The top-level blocks around the rest are parsed with `ast` and screened
       with the text's import names (supersets of the file's). Not suspicious:
       no finding. A block that does not parse, or strings that cannot be
       followed: unsure, the whole file is for the caller to parse.
    """
    if not text_may_hold_finding(source):
        return TextVerdict(False)
    text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    names = import_names(text)
    sites = call_sites(text, names)
    if not sites:
        return TextVerdict(False)
    regions = _regions(text)
    if regions is None:
        return TextVerdict(True)
    sites = [s for s in sites if (i := regions.at(s)) < 0 or regions.formatted[i]]
    if not sites:
        return TextVerdict(False)
    for start, end in _blocks(text, sites, regions):
        try:
            tree = ast.parse(text[start:end])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return TextVerdict(True)
        lines = sorted({text.count("\n", start, s) + 1 for s in sites if start <= s < end})
        if screen(tree, names, lines).suspicious:
            whole = start == 0 and end == len(text) and text is source
            return TextVerdict(True, tree if whole else None)
    return TextVerdict(False)


# --- ast level ---------------------------------------------------------------------------


def _position_key(node: ast.expr) -> tuple[int, int, int, int]:
    # Source order, an enclosing call before a call that starts where it starts.
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


def _chain_of(node: ast.expr) -> tuple[str, str] | None:
    """(first name, the rest) of a dotted chain, through subscripts as analysis.qualify reads it.

    `t.nn[0].functional.dropout` gives ("t", ".nn.functional.dropout").
    """
    rest = []
    while True:
        if isinstance(node, ast.Attribute):
            rest.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    if not isinstance(node, ast.Name):
        return None
    return node.id, "".join("." + part for part in reversed(rest))


def _training_names(node: ast.expr) -> set[str]:
    """Names `n` of `n.training` in `node` or in an `and` chain: fine if one is the receiver."""
    if isinstance(node, ast.Attribute):
        if node.attr == "training" and isinstance(node.value, ast.Name):
            return {node.value.id}
        return set()
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return set().union(*(_training_names(value) for value in node.values))
    return set()


def _training_value(call: ast.Call) -> ast.expr | None:
    """The argument the engine judges as `training` (analysis.find_argument, index 2).

    Non-starred positional arguments always come before keywords in the source, so
    the third one wins when it is there. ATen's `train=` keyword is not looked up:
    such a call stays suspicious, and the engine decides.
    """
    if len(call.args) > 2 and not any(isinstance(a, ast.Starred) for a in call.args[:3]):
        return call.args[2]
    for keyword in call.keywords:
        if keyword.arg == "training":
            return keyword.value
    return None


_STATIC_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "builtins.staticmethod", "builtins.classmethod"}
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _receivers(tree: ast.AST, calls: list[ast.Call]) -> dict[int, str | None]:
    """The receiver the engine sees at each call (analysis._Collector._method_context).

    A method's receiver is its first positional parameter (none in a static or
    class method); nested functions and lambdas keep it unless a parameter of
    theirs shadows it. Only subtrees holding one of `calls` are walked.
    """
    wanted = {id(call) for call in calls}
    lines = sorted({call.lineno for call in calls})
    found: dict[int, str | None] = {}

    def holds_a_call(node: ast.AST) -> bool:
        start = getattr(node, "lineno", None)
        if start is None:
            return True
        for decorator in getattr(node, "decorator_list", ()):
            start = min(start, decorator.lineno)
        index = bisect.bisect_left(lines, start)
        return index < len(lines) and lines[index] <= (node.end_lineno or start)  # type: ignore[attr-defined]

    def visit(node: ast.AST, in_class_body: bool, receiver: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            visit_node(child, in_class_body, receiver)

    def visit_all(nodes: list, in_class_body: bool, receiver: str | None) -> None:
        for node in nodes:
            if node is not None:
                visit_node(node, in_class_body, receiver)

    def visit_node(child: ast.AST, in_class_body: bool, receiver: str | None) -> None:
        # Decorators, bases and defaults run outside the class or function they
        # belong to; only the body runs inside (as in analysis._Collector).
        if not holds_a_call(child):
            return
        if isinstance(child, ast.ClassDef):
            outside = [*child.decorator_list, *child.bases, *(k.value for k in child.keywords)]
            visit_all(outside, in_class_body, receiver)
            visit_all(child.body, True, None)
        elif isinstance(child, _FUNCTIONS):
            args = child.args
            positional = [a.arg for a in (*args.posonlyargs, *args.args)]
            if in_class_body:
                decorators = {_dotted(d) for d in getattr(child, "decorator_list", ())}
                static = bool(decorators & _STATIC_DECORATORS)
                inner = positional[0] if positional and not static else None
            else:
                names = {*positional, *(a.arg for a in args.kwonlyargs)}
                names.update(star.arg for star in (args.vararg, args.kwarg) if star)
                inner = None if receiver in names else receiver
            outside = [*getattr(child, "decorator_list", ()), args, getattr(child, "returns", None)]
            visit_all(outside, in_class_body, receiver)
            body = child.body if isinstance(child.body, list) else [child.body]
            visit_all(body, False, inner)
        else:
            if id(child) in wanted:
                found[id(child)] = receiver
            visit(child, in_class_body, receiver)

    visit(tree, False, None)
    return found


# Fields that never hold a call: expression contexts and operators are nodes too.
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "type_comment", "kind"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Name: (), ast.Constant: ()}


def _collect(
    tree: ast.AST, lines: list[int] | None = None
) -> tuple[list[ast.Call], list[ast.ClassDef], list[ast.stmt]]:
    """Calls, classes and imports: an explicit stack, about twice as fast as `ast.walk`.

    `lines`: sorted line numbers; statements that span none of them are skipped
    (with their decorators: a call inside spans its own line).
    """
    calls: list[ast.Call] = []
    classes: list[ast.ClassDef] = []
    imports: list[ast.stmt] = []
    stack: list[ast.AST] = [tree]
    pop, push = stack.pop, stack.append
    node_type = ast.AST
    fields_of = _CHILD_FIELDS
    statement = ast.stmt
    while stack:
        node = pop()
        kind = type(node)
        if lines is not None and isinstance(node, statement):
            first = node.lineno
            decorators = getattr(node, "decorator_list", None)
            if decorators:
                first = min(first, decorators[0].lineno)
            index = bisect.bisect_left(lines, first)
            if index == len(lines) or lines[index] > (node.end_lineno or first):
                continue
        if kind is ast.Call:
            calls.append(node)  # type: ignore[arg-type]
        elif kind is ast.ClassDef:
            classes.append(node)  # type: ignore[arg-type]
        elif kind is ast.Import or kind is ast.ImportFrom:
            imports.append(node)  # type: ignore[arg-type]
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return calls, classes, imports


@dataclass
class Screen:
    """What the `ast` pass learned: whether libcst is needed, and call positions."""

    suspicious: bool
    candidates: list[ast.Call]  # every candidate-shaped call, in source order
    suspects: list[ast.Call] = field(default_factory=list)  # the calls that may be findings
    tree: ast.AST | None = None  # what was screened

    def position(self, ordinal: int) -> tuple[int, int]:
        """1-based line and 0-based UTF-8 byte column of the ordinal-th candidate."""
        node = self.candidates[ordinal]
        return node.lineno, node.col_offset


def screen(
    tree: ast.AST, names: ImportNames | None = None, lines: list[int] | None = None
) -> Screen:
    """Candidate calls (same shape rule as the engine) and suspicion, in one walk.

    The candidate list mirrors the engine's ordinals, so positions come from
    `ast` for free instead of from libcst's costly position metadata. `names`:
    the whole file's import names read from its text, when `tree` is one block
    of the file (imports elsewhere bind names here too). `lines`: only calls in
    statements that span one of these lines can matter (the text screen's sites).
    """
    calls, classes, imports = _collect(tree, lines)
    function_aliases: set[str] = set(names.aliases) if names else set()
    targets: dict[str, set[str]] = {}  # from the tree's imports: exact
    for node in imports:
        for bound, target in import_pairs(node):  # type: ignore[arg-type]
            targets.setdefault(bound, set()).add(target)
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in FUNCTION_NAMES:
                    function_aliases.add(alias.asname or alias.name)
    call_names = FUNCTION_NAMES | function_aliases
    candidates = []
    for call in calls:
        func = call.func
        kind = type(func)
        if (kind is ast.Attribute and func.attr in FUNCTION_NAMES) or (  # type: ignore[attr-defined]
            kind is ast.Name and func.id in call_names  # type: ignore[attr-defined]
        ):
            candidates.append(call)
    candidates.sort(key=_position_key)
    class_ranges = [(c.lineno, c.end_lineno or c.lineno) for c in classes]

    def may_resolve_to_torch(call: ast.Call) -> bool:
        """Some import target of the chain's first name + the rest is a dropout function.

        The engine resolves names through import bindings only (see
        ImportNames): the tree's imports give their pairs exactly, and `names`
        (the whole file's, when `tree` is one block) a superset of the rest.
        """
        chain = _chain_of(call.func)
        if chain is None:
            return False
        root, rest = chain
        if may_name_a_function(targets.get(root, ()), rest):
            return True
        return names is not None and names.possible(root, rest)

    def in_a_class(call: ast.Call) -> bool:
        return any(start <= call.lineno <= end for start, end in class_ranges)

    # A call is harmless only if it reads `.training` from its method's receiver.
    checked: list[tuple[ast.Call, set[str]]] = []
    suspects: list[ast.Call] = []
    for call in candidates:
        if not (may_resolve_to_torch(call) and in_a_class(call)):
            continue
        value = _training_value(call)
        found = _training_names(value) if value is not None else set()
        if found:
            checked.append((call, found))
        else:
            suspects.append(call)
    if checked:
        receivers = _receivers(tree, [call for call, _ in checked])
        suspects += [call for call, found in checked if receivers.get(id(call)) not in found]
    return Screen(bool(suspects), candidates, sorted(suspects, key=_position_key), tree)
