"""The text screen: decide from the text, and `ast` on a few blocks, whether the judge is needed.

Used when no tree is given (the command line and the fixer). It finds every
possible call of a dropout function by name, resolves the first name of its
dotted chain through the file's import statements (`ImportNames`), drops the
calls inside comments and plain strings, and parses with `ast` only the
methods around the rest (`method_piece`), or else the top-level definitions,
which `screen.screen` then screens. Most files end here, unparsed.

"Sound" means: if the judge (`engine.check(..., screens=False)`) would
report a call, the screens say "maybe". They may say "maybe" too often, never
too rarely; tests/test_screens.py checks this on the case files, on hand-written
tricky layouts and on generated files. Every claim below is about files that
Python can parse: a file that the engine cannot parse has no findings, only an
error, and the command line reports syntax errors of discovered files only when
the screens let them through.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from . import checks
from .rules import FUNCTION_NAMES, FUNCTIONS
from .screen import screen
from .semantics import (
    AST_SYNTAX,
    StarResolver,
    ast_args,
    ast_import_bindings,
    may_name_a_function,
    star_bindings,
)

_MARKS = ("dropout", "torch")
_F = "torch.nn.functional"
_STAR_IMPORT = re.compile(r"import(?:[ \t\f]|\\\r?\n)*\*")
_STAR_IMPORT_BYTES = re.compile(_STAR_IMPORT.pattern.encode())
#: Every character the marks (and a star import) are written with.
_MARK_CHARACTERS = frozenset("".join(_MARKS) + "import*\\ \t\f\r\n")
_ASCII_BYTES = bytes(range(128))
_ALL_ASCII = frozenset(map(chr, range(128)))


def _marked(source: str, star_imports: bool) -> bool:
    if "dropout" not in source:
        return False
    return "torch" in source or (star_imports and _STAR_IMPORT.search(source) is not None)


def text_may_hold_finding(source: str, star_imports: bool = False) -> bool:
    """Every reported call names a dropout function and resolves through a torch import.

    Or through a star import, when they are read (`from fastai.vision.all import *`
    binds `F` without naming torch). Python compares identifiers in NFKC form:
    `F.ｄropout` calls `dropout` too.
    """
    if _marked(source, star_imports):
        return True
    if source.isascii() or not _may_respell(_characters_of(source), _MARK_CHARACTERS):
        return False  # no mark hides in its normal form
    return _marked(unicodedata.normalize("NFKC", source), star_imports)


def bytes_may_hold_finding(data: bytes, star_imports: bool = False) -> bool:
    """`text_may_hold_finding` on a file's bytes, decoding only non-ASCII files that need it."""
    if b"dropout" in data and (
        b"torch" in data or (star_imports and _STAR_IMPORT_BYTES.search(data) is not None)
    ):
        return True
    if data.isascii():
        return False
    characters = _non_ascii_characters(data)
    if characters is not None and not _may_respell(characters, _MARK_CHARACTERS):
        return False
    return text_may_hold_finding(data.decode("utf-8", "replace"), star_imports)


def _non_ascii_characters(data: bytes) -> frozenset[str] | None:
    """The distinct non-ASCII characters of UTF-8 `data`; None if they are not UTF-8.

    Deleting the ASCII bytes leaves whole UTF-8 sequences (no ASCII byte is part
    of one), a small fraction of a file: far quicker than decoding it all.
    """
    try:
        return frozenset(data.translate(None, _ASCII_BYTES).decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _characters_of(text: str) -> frozenset[str]:
    """The distinct non-ASCII characters of `text` (found as in `_non_ascii_characters`)."""
    data = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    return frozenset(data.decode("utf-8", "surrogatepass"))


@functools.lru_cache(maxsize=4096)
def _ascii_made_by(char: str) -> frozenset[str]:
    """The ASCII characters NFKC may put where the non-ASCII `char` stands, or change beside it.

    Its normal form's ASCII characters (`ｄ`: "d", `ﬁ`: "f" and "i"); every ASCII
    character if it may join the character before it (a combining mark: `e` and
    U+0301 are `é`). No character's normal form is empty, and every composition
    that starts with an ASCII character goes on with a combining mark, so NFKC
    changes nothing else about where ASCII characters stand.
    """
    if unicodedata.combining(unicodedata.normalize("NFKD", char)[0]):
        return _ALL_ASCII
    return frozenset(c for c in unicodedata.normalize("NFKC", char) if c.isascii())


def _may_respell(characters: Iterable[str], ascii_characters: frozenset[str]) -> bool:
    """May NFKC make, move or change one of `ascii_characters` in a text whose non-ASCII
    characters are `characters`? If not, every word written with them appears in
    the text's normal form exactly where it appears in the text."""
    return any(_ascii_made_by(char) & ascii_characters for char in characters)


def _spelled_otherwise(source: str, words: Iterable[str]) -> bool:
    """Does one of `words` (ASCII) appear somewhere only in its NFKC form (`ｄropout`)?

    The text level reads names as written; such a file is left to `ast`, which
    reads them as Python does.
    """
    words = [word for word in words if word.isascii()]
    if source.isascii() or not _may_respell(_characters_of(source), frozenset("".join(words))):
        return False  # NFKC changes none of them (far quicker to check than to build)
    normal = unicodedata.normalize("NFKC", source)
    return any(normal.count(word) != source.count(word) for word in words)


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
        resolver: StarResolver | None = None,
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
        self._anything = False
        for keyword, end in stars:
            pairs = _import_pairs(self._text(keyword, end), resolver)
            if pairs is None and resolver is not None:
                self._anything = True  # a star import we cannot read may bind any name
            if pairs is None:  # a star import we cannot read: it may be torch.nn.functional's
                known = star_bindings(_F, 0)
                bindings = known[0] if known is not None else []
                pairs = [(name, target) for name, target in bindings if isinstance(target, str)]
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
        if self._anything:
            return None
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


def _import_pairs(text: str, stars: StarResolver | None = None) -> list[tuple[str, str]] | None:
    """The pairs of the import statements at the top level of `text`; None: it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return [
        pair
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for pair in ast_import_bindings(node, stars)
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


def import_names(source: str, stars: StarResolver | None = None) -> ImportNames:
    """The text of each import statement (see ImportNames), and the aliases of dropout names.

    Every name an import binds is written after its `import` keyword. An
    `import` inside a string or a comment only adds texts and names.
    """
    statements: list[tuple[int, int, int]] = []
    star_texts: list[tuple[int, int]] = []
    aliases: set[str] = set()
    for keyword in _words(source, "import"):
        start = _INLINE_GAP.match(source, keyword + 6).end()  # type: ignore[union-attr]
        end = _statement_end(source, start)
        if source.startswith("*", start):
            star_texts.append((keyword, end))
            continue
        statements.append((keyword, start, end))
        names = source[start:end]
        if "dropout" in names:  # every dropout function's name holds it
            words = _identifiers(_COMMENT.sub(" ", names) if "#" in names else names)
            if not FUNCTION_NAMES.isdisjoint(words):
                aliases.update(after for before, after in zip(words, words[1:]) if before == "as")
    return ImportNames(
        source, statements, star_texts, frozenset(_with_normal_forms(aliases)), stars
    )


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
        if line.strip() and line.strip() != "\\":  # a line of only a backslash: blank
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

    A candidate call's function is a dropout name or an alias (judge.Walk.call),
    written as a whole word and followed, after blanks, comments and
    continuations, by its `(` or by the `)` of a parenthesised function:
    `(F.dropout)(x)`.
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


class _Unsure(Exception):
    """An unterminated or malformed literal: nothing is decided from the text."""


class _Regions:
    """Strings and comments, in source order, found only as far as they are asked about.

    A `#` outside a string starts a comment and a quote outside a comment starts
    a string, so one forward pass from the file's start finds them all, as
    Python's tokenizer does; the regions before any offset do not depend on the
    text after it. So the pass stops once it is past the offset asked about
    (the text screen asks about its call sites and the ends of their blocks,
    about a third of the text): the regions it has found are those of a full
    pass. A literal it cannot follow raises `_Unsure`. A file that Python can
    parse has none; one that it cannot has no findings either, so an
    unterminated literal after every offset asked about changes nothing.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.formatted: list[bool] = []  # f-strings hold code in their replacement fields
        self._position = 0  # where the pass goes on; -1: at the end
        self._unsure = False

    def scan(self, offset: int) -> None:
        """Find every region that starts at or before `offset`, and the one after it."""
        if self._unsure:
            raise _Unsure
        source, starts, ends, formatted = self.source, self.starts, self.ends, self.formatted
        search = _QUOTE_OR_HASH.search
        position = self._position
        while 0 <= position <= offset:
            match = search(source, position)
            if match is None:
                position = -1
                break
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
                self._unsure = True
                raise _Unsure
            starts.append(found[0])
            ends.append(found[1])
            formatted.append(found[2])
            position = found[1]
        self._position = position

    def at(self, offset: int) -> int:
        """Index of the region holding `offset`, or -1."""
        if 0 <= self._position <= offset:
            self.scan(offset)
        index = bisect.bisect_right(self.starts, offset) - 1
        return index if index >= 0 and offset < self.ends[index] else -1


def _regions(source: str) -> _Regions | None:
    """Every string literal and comment, as Python's tokenizer finds them; None if unsure."""
    regions = _Regions(source)
    try:
        regions.scan(len(source))
    except _Unsure:
        return None
    return regions


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


def _lines(text: str, start: int, sites: list[int]) -> list[int]:
    """1-based line numbers, counted from `start`, of the sorted offsets `sites`."""
    lines: list[int] = []
    line, position = 1, start
    for site in sites:
        line += text.count("\n", position, site)
        position = site
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


# --- text level: the method around a call site ----------------------------------------------

# Hard keywords: at the start of a logical line they can only begin their statement.
_DEF = re.compile(r"(?:async[ \t\f]+)?def\b")
_CLASS = re.compile(r"class\b")
_DEF_OR_CLASS = re.compile(r"(?:async[ \t\f]+)?def\b|class\b")
_BLANKS = re.compile(r"[^\S\n]*")
_STATIC_WORDS = ("staticmethod", "classmethod")  # in every name of semantics.STATIC_DECORATORS


class _Unfit(Exception):
    """Indentation that Python versions count otherwise than spaces: use the block.

    Tabs; a form feed (resets the count); a line of only a backslash (3.9 adds
    the next line's indentation, 3.11 does not).
    """


def _indentation(text: str, start: int, regions: _Regions) -> int | None:
    """Indentation of the line at `start` if it may start a logical line, else None.

    None for a blank line, a comment, a line that starts inside a string, with
    a closing bracket (`    ) -> Tensor:` of a long `def`) or after a
    backslash continuation: none starts a logical line. Other lines inside
    brackets look like logical lines; taking them for ones only makes the
    narrowing fall back. Raises `_Unfit` for a tab or form feed in the
    indentation, or a line of only a backslash.
    """
    head = _BLANKS.match(text, start).end()  # type: ignore[union-attr]
    if head == len(text) or text[head] in "\n)]}" or regions.at(head) >= 0:
        return None
    if start >= 2 and text[start - 2] == "\\" and regions.at(start - 2) < 0:
        return None
    if text.count(" ", start, head) < head - start or text[head] == "\\":
        raise _Unfit
    return head - start


def _plain_decorators(decorators: str) -> bool:
    """Can none of the decorators in this text be `staticmethod` or `classmethod`?

    Those alone change the screen's receiver (semantics.receiver_of); `ast`
    compares them in NFKC form, so a text that is not ASCII is not trusted.
    """
    return decorators.isascii() and not any(word in decorators for word in _STATIC_WORDS)


def _method_start(text: str, site: int, regions: _Regions) -> tuple[int, int, int] | None:
    """(line start, indentation) of the `def` that holds `site` in a class body, and the class's.

    Walking back from the site's line, each logical line less indented than
    all after it (up to the site) opens a block around the site. The def is
    the outermost such `def` whose opener is a `class` (a def nested in a
    method gives way to the method); an `if`, a `try`, a bracket continuation
    or column 0 in between: None. The text from the nearest `def`/`class` at
    the def's indentation or less (or the class) to the def holds all of the
    def's decorators; they must be plain (`_plain_decorators`). A line that
    starts with more spaces than that cannot matter and is only stepped over
    (unless a form feed follows them: see `method_piece`).
    """
    start = text.rfind("\n", 0, site) + 1
    lowest = -1  # indentation of the innermost block opener so far; -1: none yet
    method: tuple[int, int] | None = None
    anchor: int | None = None  # the nearest def/class at the method's indentation before it
    deeper: str | None = None  # the lines that start with it cannot matter
    while True:
        if deeper is None or not text.startswith(deeper, start):
            indent = _indentation(text, start, regions)
            if indent is None:
                pass
            elif indent < lowest or lowest < 0:
                lowest = indent
                code = start + indent
                if _CLASS.match(text, code):
                    if method is None:
                        return None
                    decorators = text[start if anchor is None else anchor : method[0]]
                    return (*method, start) if _plain_decorators(decorators) else None
                is_def = indent > 0 and _DEF.match(text, code) is not None
                method, anchor = ((start, indent) if is_def else None), None
                if method is None and indent == 0:
                    return None
            elif indent == lowest and method and anchor is None:
                anchor = start if _DEF_OR_CLASS.match(text, start + indent) else None
            if lowest >= 0:
                deeper = " " * (lowest + 1 if method and anchor is None else lowest)
        if start == 0:
            return None
        start = text.rfind("\n", 0, start - 1) + 1


def _method_end(text: str, site: int, indent: int, regions: _Regions) -> int:
    """The first logical line after the site's line indented `indent` or less, else the end."""
    deeper = " " * (indent + 1)
    start = text.find("\n", site) + 1
    while 0 < start < len(text):
        if not text.startswith(deeper, start):
            found = _indentation(text, start, regions)
            if found is not None and found <= indent:
                return start
        start = text.find("\n", start) + 1
    return len(text)


def method_piece(text: str, site: int, regions: _Regions) -> tuple[int, int] | None:
    """[start, end) of the method around the call site at `site`, or None: use the block.

    Most sites sit in one method of a large class: `ast` parses the method
    alone, as the body of a class `_`, instead of the class. Sound because the
    piece starts at a real statement, a `def` standing directly in a class
    body (every line between the class and the def is indented as deep), and,
    if it parses, ends between statements after the method's body: each
    statement in it parses as in the file, in a class body or at column 0 as
    there (any other dedent does not parse). The screen's verdict on a call
    depends only on its own method (the receiver, `_rebinds` over the whole
    method, nested functions and lambdas that shadow it), its arguments, the
    import names (`names`: the whole file's) and its being in some class. The
    method's decorators are left out, so they must not make it static (then
    the file's method has no receiver and the piece's would).
    """
    try:
        found = _method_start(text, site, regions)
        if found is None:
            return None
        start, indent, class_start = found
        end = _method_end(text, site, indent, regions)
    except _Unfit:
        return None
    # The walks step over deeper lines unread; a form feed in them resets the indentation.
    return (start, end) if text.find("\f", class_start, end) < 0 else None


def _method_clears(
    text: str,
    piece: tuple[int, int],
    sites: list[int],
    names: ImportNames,
    stars: StarResolver | None,
) -> bool:
    """Does the screen clear these sites on their method alone?"""
    start, end = piece
    try:
        tree = ast.parse("class _:\n" + text[start:end])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    lines = [line + 1 for line in _lines(text, start, sites)]  # after the `class _:` line
    return not screen(tree, names, lines, stars).suspicious


_CLASS_LINE = re.compile(r"^[ \t\f]*class\b", re.MULTILINE)
_FIRST_PARAMETER = re.compile(
    r"[ \t]*(?:async[ \t]+)?def[ \t]+\w+[ \t]*\([ \t\n]*(\w+)[ \t\n]*[,):=]"
)
_BRACKET_QUOTE_OR_HASH = re.compile(r"[()\[\]{}'\"#]")
_UP_TO_NEXT_TOKEN = re.compile(r"(?:[ \t\n]|\\\n)*")


def _passes_own_flag(
    text: str, piece: tuple[int, int], sites: list[int], regions: _Regions
) -> bool:
    """Does each call at `sites` pass `training=` its method's own flag, read without
    parsing the method? (`_method_clears` parses it; this is the quick, narrower case.)

    The judge gives no code to a call whose arguments it judges clean with the
    method's receiver (checks.judge, for every dropout function the call may be),
    and the receiver is the method's first parameter (`method_piece` saw no
    static or class method decorator) when nothing in the method binds that
    name and no class inside it holds the call. In an ASCII method that says
    `import` nowhere, a name that is only ever followed by a dot (`self.x`, but
    for the header's parameter) is bound by nothing: every binding writes the
    name itself (a target, a parameter, `as`, `global`, `:=`, a pattern), never
    `name.`, except `import name.sub`. Words in comments and plain strings are
    no code (an f-string's fields are). Anything else, or arguments that do not
    parse alone, is left to `_method_clears`.
    """
    start, end = piece
    method = text[start:end]
    header = _FIRST_PARAMETER.match(method)
    if header is None or not method.isascii():
        return False

    def code(offset: int) -> bool:
        region = regions.at(start + offset)
        return region < 0 or regions.formatted[region]

    if any(code(word) for word in _words(method, "import")):
        return False
    if any(code(line.start()) for line in _CLASS_LINE.finditer(method, header.end())):
        return False  # a class inside the method: its methods have receivers of their own
    receiver = header.group(1)
    for word in _words(method, receiver):
        if word == header.start(1) or method[word - 1 : word] == "." or not code(word):
            continue  # its parameter, an attribute `x.self`, or no code
        after = _UP_TO_NEXT_TOKEN.match(method, word + len(receiver)).end()  # type: ignore[union-attr]
        if method[after : after + 1] != ".":
            return False
    return all(_clean_arguments(text, site, end, receiver) for site in sites)


def _clean_arguments(text: str, site: int, limit: int, receiver: str) -> bool:
    """Are the arguments of the call at `site` clean for every dropout function?"""
    name_end = site
    while name_end < limit and _is_identifier_char(text[name_end]):
        name_end += 1
    opening = _GAP.match(text, name_end).end()  # type: ignore[union-attr]
    if text[opening : opening + 1] != "(":
        return False  # `(F.dropout)(x)`: left to the parse
    closing = _closing_bracket(text, opening, limit)
    if closing is None:
        return False
    try:
        call = ast.parse("f" + text[opening : closing + 1], mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if not isinstance(call, ast.Call):
        return False
    args = ast_args(call)
    return all(
        checks.judge(AST_SYNTAX, args, function, receiver)[0] is None
        for function in FUNCTIONS.values()
    )


def _closing_bracket(text: str, opening: int, limit: int) -> int | None:
    """Where the bracket opened at `opening` closes, stepping over strings and comments."""
    depth = 0
    position = opening
    while True:
        found = _BRACKET_QUOTE_OR_HASH.search(text, position, limit)
        if found is None:
            return None
        char, position = found.group(), found.start()
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return position
        elif char == "#":
            position = text.find("\n", position, limit)
            if position < 0:
                return None
            continue
        else:
            string = _string_at(text, position)
            if string is None:
                return None
            position = string[1]
            continue
        position += 1


def _outside_every_class(text: str, site: int, regions: _Regions) -> bool:
    """Is the site in a top-level function with no class statement up to it?

    The screen (and the judge) report only calls inside a class. A class
    statement starts its line (after its indentation): if no line from the
    nearest top-level `def` up to the site's own line does, even in a string,
    no class holds the site, and it needs no parse.
    """
    start = _block_start(text, site, regions)
    if not _DEF.match(text, start):
        return False
    line_end = text.find("\n", site)
    return _CLASS_LINE.search(text, start, len(text) if line_end < 0 else line_end) is None


def _not_cleared_by_methods(
    text: str,
    sites: list[int],
    regions: _Regions,
    names: ImportNames,
    stars: StarResolver | None,
) -> list[int]:
    """The sites that the screen on their method alone does not clear, for the blocks."""
    left: list[int] = []
    covered = 0  # the end of the last piece: the sites before it are decided
    for index, site in enumerate(sites):
        if site < covered or _outside_every_class(text, site, regions):
            continue
        piece = method_piece(text, site, regions)
        if piece is None:
            left.append(site)
            continue
        inside = sites[index : bisect.bisect_left(sites, piece[1], index)]
        if not (
            _passes_own_flag(text, piece, inside, regions)
            or _method_clears(text, piece, inside, names, stars)
        ):
            left += inside
        covered = piece[1]
    return left


@dataclass
class TextVerdict:
    """The text screen's answer; `tree` is the whole file's when it had to parse it all."""

    possible: bool
    tree: ast.AST | None = None


def text_screen(source: str, stars: StarResolver | None = None) -> TextVerdict:
    """Whether a finding is possible, from the text and `ast` on a few blocks only.

    1. Candidate calls that may resolve to torch (`call_sites`); none: no finding.
    2. Those inside comments and plain strings are dropped (f-strings can hold calls);
       strings and comments are found only up to the last block (`_Regions`).
    3. The method around each call in a class is parsed with `ast` alone
       (`method_piece`) and screened with the text's import names (supersets
       of the file's). Not suspicious: that call is no finding.
    4. The top-level blocks around the rest are parsed and screened the same
       way. Not suspicious: no finding. A block that does not parse, or
       strings that cannot be followed: unsure, the whole file is for the
       caller to parse.
    """
    if not text_may_hold_finding(source, stars is not None):
        return TextVerdict(False)
    text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    names = import_names(text, stars)
    if _spelled_otherwise(text, (*_MARKS, *(names.aliases - FUNCTION_NAMES))):
        return TextVerdict(True)  # `F.ｄropout`, `ｄrop(x)`: let `ast` read the names
    sites = call_sites(text, names)
    if not sites:
        return TextVerdict(False)
    regions = _Regions(text)
    try:
        sites = [s for s in sites if (i := regions.at(s)) < 0 or regions.formatted[i]]
        sites = _not_cleared_by_methods(text, sites, regions, names, stars)
        blocks = _blocks(text, sites, regions) if sites else []
    except _Unsure:
        return TextVerdict(True)
    for start, end in blocks:
        try:
            tree = ast.parse(text[start:end])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return TextVerdict(True)
        lines = _lines(text, start, [s for s in sites if start <= s < end])
        if screen(tree, names, lines, stars).suspicious:
            whole = start == 0 and end == len(text) and text is source
            return TextVerdict(True, tree if whole else None)
    return TextVerdict(False)
