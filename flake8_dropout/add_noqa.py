"""`--add-noqa`: a `# noqa: DRP00N` comment for each current finding, so a team can adopt the
check on a large tree at once and gate only new code.

As ruff does it: the comment goes on the finding's (first) line; codes join an
existing `# noqa: X` list there; a bare `# noqa` already covers everything. A
line whose end lies inside a multi-line string, or that continues with a
backslash, cannot take a comment: the comment then goes after the end of that
string or continuation, where flake8 (and our `noqa.NoqaLines`) still reads it
for the first line.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

from .noqa import _NOQA, NoqaLines

_SPLIT = re.compile(r"(\r\n|\r|\n)")


@dataclass
class _Layout:
    comments: dict[int, tuple[int, str]] = field(default_factory=dict)  # line -> (col, text)
    line_ends: set[int] = field(default_factory=set)  # lines whose end can take a comment


def _layout(text: str) -> _Layout:
    layout = _Layout()
    readline = io.StringIO(_SPLIT.sub("\n", text)).readline
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.COMMENT:
                layout.comments[token.start[0]] = (token.start[1], token.string)
            elif token.type in (tokenize.NL, tokenize.NEWLINE):
                layout.line_ends.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return layout


def _listed(codes: str | None) -> list[str]:
    return [code for code in re.split(r"[,\s]+", (codes or "").strip()) if code]


def add_noqa(text: str, findings: Iterable[tuple[int, str]]) -> tuple[str, int]:
    """`text` with each (line, code) silenced by a `# noqa` comment; and how many comments
    were added or extended. Findings already silenced are left alone."""
    noqa = NoqaLines(text)
    parts = _SPLIT.split(text)  # lines at even indices, their line breaks at odd ones
    lines = parts[0::2]
    layout = _layout(text)
    wanted: dict[int, list[str]] = {}  # target line -> codes to add there
    for line, code in sorted(set(findings)):
        if line > len(lines) or noqa.suppresses(line, code):
            continue
        first, last = noqa.range_of(line)
        target = None
        for number in range(first, last + 1):  # an existing directive in the range
            comment = layout.comments.get(number)
            if comment is not None and _NOQA.search(comment[1]):
                target = number
                break
        if target is None:
            target = next(
                (n for n in range(line, last + 1) if n in layout.line_ends),
                last,
            )
        codes = wanted.setdefault(target, [])
        if code not in codes:
            codes.append(code)

    changed = 0
    for number, codes in wanted.items():
        original = lines[number - 1]
        comment = layout.comments.get(number)
        match = _NOQA.search(comment[1]) if comment is not None else None
        if comment is None or match is None:
            lines[number - 1] = original.rstrip(" \t") + "  # noqa: " + ", ".join(codes)
        elif match.group("codes"):  # a directive with codes: ours join its list
            column, comment_text = comment
            listed = _listed(match.group("codes"))
            merged = ", ".join([*listed, *(c for c in codes if c not in listed)])
            start, end = match.span("codes")
            kept = match.group("codes")[len(match.group("codes").rstrip()) :]  # "  reason"
            new_comment = comment_text[:start] + merged + kept + comment_text[end:]
            lines[number - 1] = (
                original[:column] + new_comment + original[column + len(comment_text) :]
            )
        else:  # a directive without codes covers every code already
            continue
        changed += 1
    parts[0::2] = lines
    return "".join(parts), changed
