"""Jupyter notebooks <-> one Python module with a cell map.

The code cells of a notebook run in one namespace, so they are analysed as one
module: each code cell, in order, after a separator comment line that names
it. A module line maps back to (cell, line in the cell) through the separators;
columns are the cell's own.

IPython syntax that is not Python is masked line for line, so that it never
breaks parsing nor moves a position: `%magic`, `!shell`, `?obj`, `obj?`,
`,`/`;`/`/` autocalls, `x = !cmd`, `x = %magic`, the first line of a cell
magic whose body is Python (`%%time`, `%%timeit`, `%%capture`, `%%prun`,
`%%debug`) and a one-line automagic cell (`pip install torch`). Each masked
line becomes `pass` (or `x = None`, so that `x` stays bound) with a tag comment
at the same indentation, and is put back after a fix. Where a line starts a
statement is decided by a small scanner that knows strings, brackets and
backslash continuations, so `%` in a docstring or in `a % b` is left alone.
Left out of the module: cells with another cell magic (`%%bash`, `%%html`,
...; not Python, not reported) and cells that do not parse (reported by
number); every cell of a notebook whose kernel language is not Python.

Writing back splices: only the `source` value of each changed cell is replaced
in the original JSON text, so key order, indentation, outputs, metadata and
the final newline stay byte for byte. The new value repeats the old one's
layout (a list of lines with the same indentation and separators, or one
string); a line that was already there keeps its original JSON spelling; new
ones are escaped like the rest of the file (`\\uXXXX` only in a pure-ASCII file).
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass, field

from .source import SourceError

#: Cell magics that run their body as Python in the kernel's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
#: Line magics IPython also runs without `%` (automagic) in a one-line cell.
AUTOMAGICS = frozenset(
    {
        "cd",
        "conda",
        "env",
        "load_ext",
        "mamba",
        "matplotlib",
        "pip",
        "pwd",
        "reload_ext",
        "run",
        "set_env",
        "time",
        "timeit",
        "uv",
        "who",
        "whos",
    }
)
_ESCAPES = ("!", "%", "?", ",", ";", "/")
_TARGET = r"[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*"
_MAGIC_ASSIGN = re.compile(rf"\s*({_TARGET})\s*=\s*[!%]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_TAG = "flake8-dropout-notebook"


# --- IPython syntax -------------------------------------------------------------------


@dataclass(frozen=True)
class Escape:
    """Physical lines of a cell that IPython runs as something other than Python."""

    first: int  # 0-based line in the cell
    count: int  # backslash continuations belong to the command
    target: str | None = None  # `x` of `x = !cmd`: kept bound in the masked line


class _Scanner:
    """Just enough of Python's lexer to tell where a statement starts."""

    def __init__(self) -> None:
        self.quote: str | None = None  # the open string's quote
        self.depth = 0  # open brackets
        self.continued = False  # the last line ended with a backslash

    @property
    def at_statement_start(self) -> bool:
        return self.quote is None and self.depth == 0 and not self.continued

    def feed(self, line: str) -> int:
        """Advance over one physical line (without its line break); where its comment starts."""
        i, end = 0, len(line)
        self.continued = False
        while i < end:
            char = line[i]
            if self.quote is not None:
                if char == "\\":
                    if i == end - 1:
                        self.continued = True
                    i += 2
                elif line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                else:
                    i += 1
                continue
            if char == "#":
                return i
            if char in "\"'":
                triple = line[i : i + 3]
                self.quote = triple if triple in ('"""', "'''") else char
                i += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char == "\\" and i == end - 1:
                self.continued = True
            i += 1
        if self.quote in ('"', "'") and not self.continued:
            self.quote = None  # an unterminated one-line string: a syntax error, not our business
        return end


def _lines(text: str) -> list[str]:
    """Physical lines without their line breaks, as Python counts them."""
    return _LINE_BREAK.split(text)


def find_escapes(text: str) -> list[Escape] | None:
    """The IPython lines of a cell's source; None when a cell magic makes it not Python."""
    lines = _lines(text)
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return []
    first = filled[0]
    escapes: list[Escape] = []
    if lines[first].startswith("%%"):
        name = lines[first][2:].split(None, 1)[0] if lines[first][2:].strip() else ""
        if name not in PYTHON_CELL_MAGICS:
            return None
        escapes.append(Escape(first, 1))
    elif len(filled) == 1 and _is_automagic(lines[first]):
        return [Escape(first, 1)]
    scanner = _Scanner()
    index = escapes[0].first + 1 if escapes else 0
    while index < len(lines):
        line = lines[index]
        if scanner.at_statement_start:
            stripped = line.lstrip()
            assign = _MAGIC_ASSIGN.match(line)
            if stripped.startswith(_ESCAPES) or assign:
                count = 1
                while lines[index + count - 1].endswith("\\") and index + count < len(lines):
                    count += 1
                escapes.append(Escape(index, count, assign.group(1) if assign else None))
                index += count
                continue
            comment = scanner.feed(line)
            if scanner.at_statement_start and line[:comment].rstrip().endswith("?"):
                escapes.append(Escape(index, 1))  # obj? / obj?? (help)
        else:
            scanner.feed(line)
        index += 1
    return escapes


def _is_automagic(line: str) -> bool:
    words = line.split(None, 1)
    if line[:1].isspace() or len(words) < 2 or words[0] not in AUTOMAGICS:
        return False
    try:
        ast.parse(line)
    except SyntaxError:
        return True
    return False  # `pip in packages` is Python


def mask(text: str, escapes: list[Escape], tag: str, first_key: int = 0) -> tuple[str, list[str]]:
    """`text` with each escaped line replaced by Python and a tag comment `# {tag}{key}`.

    Returns the masked text and the original lines, indexed by key - first_key.
    """
    lines = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text) + [""]
    originals: list[str] = []
    for escape in escapes:
        indent = lines[escape.first][: len(lines[escape.first]) - len(lines[escape.first].lstrip())]
        for offset in range(escape.count):
            index = escape.first + offset
            key = first_key + len(originals)
            originals.append(lines[index])
            if offset:
                lines[index] = f"{indent}# {tag}{key}"
            elif escape.target is not None:
                lines[index] = f"{indent}{escape.target} = None  # {tag}{key}"
            else:
                lines[index] = f"{indent}pass  # {tag}{key}"
    return "".join(line + end for line, end in zip(lines, breaks)), originals


# --- JSON positions ---------------------------------------------------------------------


def _skip(text: str, index: int) -> int:
    space = _SPACE.match(text, index)
    assert space is not None  # `*`: it matches, if only the empty string
    return space.end()


def _members(text: str, index: int) -> dict[str, tuple[int, int]]:
    """Key -> (start, end) of each value of the object at `index` (the last of a repeated key)."""
    spans: dict[str, tuple[int, int]] = {}
    index = _skip(text, index + 1)
    if text[index] == "}":
        return spans
    while True:
        key, index = _DECODER.raw_decode(text, index)  # the key: a JSON string
        index = _skip(text, _skip(text, index) + 1)  # past the colon
        end = _DECODER.raw_decode(text, index)[1]
        spans[key] = (index, end)
        index = _skip(text, end)
        if text[index] == "}":
            return spans
        index = _skip(text, index + 1)


def _elements(text: str, index: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the array at `index`."""
    spans: list[tuple[int, int]] = []
    index = _skip(text, index + 1)
    if text[index] == "]":
        return spans
    while True:
        end = _DECODER.raw_decode(text, index)[1]
        spans.append((index, end))
        index = _skip(text, end)
        if text[index] == "]":
            return spans
        index = _skip(text, index + 1)


# --- the notebook -----------------------------------------------------------------------


@dataclass
class Cell:
    number: int  # 1-based among all the notebook's cells (markdown too), as ruff counts
    source: str
    span: tuple[int, int]  # the `source` value in the notebook's text
    items: list[tuple[int, int]] | None  # spans of a list source's strings; None: one string
    python: str | None = None  # the masked source in the module; None: left out
    originals: list[str] = field(default_factory=list)  # masked lines, by key
    first_key: int = 0


@dataclass
class Notebook:
    text: str  # the JSON, decoded
    bom: bool
    cells: list[Cell]  # the code cells
    module: str = ""
    errors: list[tuple[int, str]] = field(default_factory=list)  # (cell, why it is left out)
    _starts: list[int] = field(default_factory=list)  # module line of each separator
    _numbers: list[int] = field(default_factory=list)  # cell number of each separator
    _tag: str = _TAG

    # -- reading -------------------------------------------------------------------------

    @classmethod
    def load(cls, data: bytes) -> Notebook:
        """Parse a notebook's bytes; a SourceError says why they are not a notebook."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SourceError(f"a notebook must be UTF-8: {error}") from None
        bom = text.startswith("\ufeff")
        if bom:
            text = text[1:]
        try:
            document = json.loads(text)
        except ValueError as error:
            raise SourceError(f"not a notebook: invalid JSON: {error}") from None
        except RecursionError:
            raise SourceError("not a notebook: JSON too deeply nested") from None
        raw_cells = document.get("cells") if isinstance(document, dict) else None
        if not isinstance(raw_cells, list):
            raise SourceError('not a notebook (nbformat 4): no "cells" list')
        start = _skip(text, 0)
        cell_spans = _elements(text, _members(text, start)["cells"][0])
        cells = []
        for number, (raw, (cell_start, _)) in enumerate(zip(raw_cells, cell_spans), 1):
            if not isinstance(raw, dict) or raw.get("cell_type") != "code":
                continue
            if "source" not in raw:
                continue
            source = raw["source"]
            if isinstance(source, list) and all(isinstance(s, str) for s in source):
                span = _members(text, cell_start)["source"]
                cells.append(Cell(number, "".join(source), span, _elements(text, span[0])))
            elif isinstance(source, str):
                span = _members(text, cell_start)["source"]
                cells.append(Cell(number, source, span, None))
            else:
                raise SourceError(f"not a notebook: cell {number} has no source text")
        notebook = cls(text, bom, cells)
        if _is_python(document.get("metadata")):
            notebook._build()
        return notebook

    def _build(self) -> None:
        tag = _TAG
        while any(tag in cell.source for cell in self.cells):
            tag += "-"
        self._tag = tag
        parts: list[str] = []
        line = 1
        key = 0
        for cell in self.cells:
            escapes = find_escapes(cell.source)
            if escapes is None:
                continue  # %%bash and the like
            masked, originals = mask(cell.source, escapes, f"{tag} line ", key)
            try:
                ast.parse(masked)
            except SyntaxError as error:
                where = f" at line {error.lineno}" if error.lineno else ""
                self.errors.append((cell.number, f"{type(error).__name__}{where}: {error.msg}"))
                continue
            except (ValueError, RecursionError, MemoryError) as error:
                self.errors.append((cell.number, f"cannot parse: {type(error).__name__}"))
                continue
            cell.python, cell.originals, cell.first_key = masked, originals, key
            key += len(originals)
            if masked and not masked.endswith(("\n", "\r")):
                masked += "\n"
            self._starts.append(line)
            self._numbers.append(cell.number)
            parts.append(f"# {tag} cell {cell.number}\n")
            parts.append(masked)
            line += 1 + len(_LINE_BREAK.findall(masked))
        self.module = "".join(parts)

    def position(self, line: int) -> tuple[int, int]:
        """A module line (1-based) -> (cell number, line in that cell)."""
        if not self._starts:
            return 0, line
        index = max(0, bisect.bisect_right(self._starts, line) - 1)
        return self._numbers[index], line - self._starts[index]

    # -- writing -------------------------------------------------------------------------

    def changed_cells(self, module: str) -> dict[int, tuple[str, str]]:
        """Cell number -> (old source, new source) for each cell a fixed `module` changes.

        Lines a fix puts before a cell's separator (an import after the last one of
        the cell before) stay where they run: at the end of the cell before.
        """
        separator = re.compile(rf"# {re.escape(self._tag)} cell (\d+)")
        masked_line = re.compile(rf"[ \t]*(?:.*  )?# {re.escape(self._tag)} line (\d+)")
        originals: dict[int, str] = {}
        for cell in self.cells:
            for offset, original in enumerate(cell.originals):
                originals[cell.first_key + offset] = original
        segments: dict[int, list[str]] = {}
        order: list[int] = []
        current: list[str] = []
        leading = current
        seen_keys: set[int] = set()
        pieces = _LINE_BREAK.split(module)
        breaks = _LINE_BREAK.findall(module) + [""]
        for piece, end in zip(pieces, breaks):
            found = separator.fullmatch(piece)
            if found:
                number = int(found.group(1))
                if number in segments:
                    raise SourceError(f"the fix repeated the marker of cell {number}")
                current = segments[number] = []
                order.append(number)
                continue
            masked = masked_line.fullmatch(piece)
            if masked:
                key = int(masked.group(1))
                if key in seen_keys or key not in originals:
                    raise SourceError("the fix repeated an IPython line")
                seen_keys.add(key)
                piece = originals[key]
            current.append(piece + end)
        if order != self._numbers or seen_keys != set(originals):
            raise SourceError("the fix moved a cell marker or an IPython line")
        changes: dict[int, tuple[str, str]] = {}
        for cell in self.cells:
            if cell.python is None:
                continue
            new = "".join(segments[cell.number])
            if cell.number == self._numbers[0]:
                new = "".join(leading) + new  # before the first marker: the first cell's
            if not cell.source.endswith(("\n", "\r")) and new.endswith("\n"):
                new = new[:-2] if new.endswith("\r\n") else new[:-1]
            if new != cell.source:
                changes[cell.number] = (cell.source, new)
        return changes

    def write(self, changes: dict[int, tuple[str, str]]) -> bytes:
        """The notebook's bytes with only the changed cells' `source` values replaced."""
        ascii_only = self.text.isascii()
        out: list[str] = []
        done = 0
        for cell in self.cells:
            if cell.number not in changes:
                continue
            start, end = cell.span
            out.append(self.text[done:start])
            out.append(self._source_json(cell, changes[cell.number][1], ascii_only))
            done = end
        out.append(self.text[done:])
        return (("\ufeff" if self.bom else "") + "".join(out)).encode("utf-8")

    def _source_json(self, cell: Cell, new: str, ascii_only: bool) -> str:
        text = self.text

        def dump(item: str) -> str:
            return json.dumps(item, ensure_ascii=ascii_only)

        if cell.items is None:
            return dump(new)
        start, end = cell.span
        spelled = {json.loads(text[a:b]): text[a:b] for a, b in cell.items}
        tokens = [spelled.get(item) or dump(item) for item in new.splitlines(keepends=True)]
        if not tokens:
            return "[]"
        items = cell.items
        if items:
            opening = text[start + 1 : items[0][0]]
            closing = text[items[-1][1] : end - 1]
            if len(items) > 1:
                separator = text[items[0][1] : items[1][0]]
            elif "\n" in opening:
                separator = "," + opening
            else:
                separator = ", " if text[start - 1] == " " else ","
        else:  # an empty list: the layout of its surroundings
            newline = "\r\n" if "\r\n" in text else "\n"
            line_start = text.rfind("\n", 0, start) + 1
            key_line = text[line_start:start]
            indent = key_line[: len(key_line) - len(key_line.lstrip())]
            if "\n" not in text.strip():
                opening = closing = ""
                separator = ", " if text[start - 1] == " " else ","
            else:
                unit = _indent_unit(text)
                opening = newline + indent + unit
                closing = newline + indent
                separator = "," + opening
        return "[" + opening + separator.join(tokens) + closing + "]"


def _indent_unit(text: str) -> str:
    """The indentation of the top-level keys: the file's indent step."""
    start = _skip(text, 0) + 1
    gap = text[start : _skip(text, start)]
    return gap[gap.rfind("\n") + 1 :] if "\n" in gap else " "


def _is_python(metadata: object) -> bool:
    """Unless the notebook says its kernel runs another language."""
    if not isinstance(metadata, dict):
        return True
    for outer, inner in (("language_info", "name"), ("kernelspec", "language")):
        table = metadata.get(outer)
        if isinstance(table, dict) and isinstance(table.get(inner), str):
            return table[inner].lower() == "python"
    return True
