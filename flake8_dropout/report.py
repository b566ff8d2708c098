"""What the command line prints: findings (text, json, github) and the closing summary.

Findings go to stdout (stderr when stdout carries the fixed source of stdin,
or a diff); the summary, the `--show-fixes` list and file errors go to stderr,
so stdout stays parseable the way flake8's output is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from .dashboards import FORMATS as DASHBOARD_FORMATS


@dataclass(frozen=True, order=True)
class Reported:
    path: str
    line: int  # 1-based
    column: int  # 0-based, as the engine gives it; printed 1-based
    code: str
    message: str  # starts with the code
    applicability: str  # "safe", "unsafe" or "none"
    note: str = ""  # why it is (or would be) fixed in place, or not fixed
    cell: int | None = None  # a notebook's cell (1-based, as ruff counts); `line` is in it

    @property
    def where(self) -> str:
        """`path:line:col`, or `path:cell N:line:col` in a notebook (as ruff prints it)."""
        cell = "" if self.cell is None else f"cell {self.cell}:"
        return f"{self.path}:{cell}{self.line}:{self.column + 1}"

    @property
    def description(self) -> str:
        """The message without the code that `code` already holds (JSON, SARIF, JUnit)."""
        prefix = self.code + " "
        return self.message.removeprefix(prefix)

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}"

    def order(self) -> tuple:
        """Sort key: by path, then cell, then position."""
        return (self.path, self.cell or 0, self.line, self.column, self.code, self.message)


def format_text(items: Sequence[Reported]) -> str:
    return "".join(item.text + "\n" for item in items)


def _json_rows(items: Sequence[Reported]) -> list[dict]:
    return [
        {
            "path": item.path,
            "line": item.line,
            "column": item.column + 1,
            "code": item.code,
            "message": item.description,
            "fix": item.applicability,
            "fix_note": item.note or None,
            "cell": item.cell,  # null outside notebooks
        }
        for item in items
    ]


def format_json(items: Sequence[Reported]) -> str:
    return json.dumps(_json_rows(items), indent=2) + "\n"


def format_json_lines(items: Sequence[Reported]) -> str:
    """One JSON object per line, exactly the rows of `--output-format json` (for streaming)."""
    return "".join(json.dumps(row) + "\n" for row in _json_rows(items))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(items: Sequence[Reported]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's diff.

    A notebook's finding annotates the whole file (its line is in a cell, not in
    the JSON that GitHub shows); the message names the cell.
    """
    return "".join(
        f"::error title={_escape_property('flake8-dropout ' + item.code)},"
        f"file={_escape_property(item.path)}"
        + ("" if item.cell is not None else f",line={item.line},col={item.column + 1}")
        + f"::{_escape_data(item.text)}\n"
        for item in items
    )


FORMATS = {
    "text": format_text,
    "json": format_json,
    "json-lines": format_json_lines,
    "github": format_github,
    **DASHBOARD_FORMATS,  # sarif, gitlab, junit
}


class _StatisticsRow(TypedDict):
    """One code's line of `--statistics`; the JSON format prints these as they are."""

    code: str
    name: str
    count: int
    fixable: bool


def format_statistics(items: Sequence[Reported], output_format: str, unsafe_fixes: bool) -> str:
    """The number of findings per code, as `ruff --statistics` prints it (json: a list)."""
    from .rule_docs import RULES

    counts: dict[str, list[Reported]] = {}
    for item in items:
        counts.setdefault(item.code, []).append(item)
    fixable_with = {"safe", "unsafe"} if unsafe_fixes else {"safe"}
    rows: list[_StatisticsRow] = [
        {
            "code": code,
            "name": RULES[code].name if code in RULES else "",
            "count": len(found),
            "fixable": any(item.applicability in fixable_with for item in found),
        }
        for code, found in sorted(counts.items(), key=lambda entry: (-len(entry[1]), entry[0]))
    ]
    if output_format == "json":
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    count_width = max(len(str(row["count"])) for row in rows)
    code_width = max(len(row["code"]) for row in rows)
    any_fixable = any(row["fixable"] for row in rows)
    return "".join(
        f"{row['count']:>{count_width}}\t{row['code']:<{code_width}}\t"
        f"{('[*] ' if row['fixable'] else '    ') if any_fixable else ''}{row['name']}\n"
        for row in rows
    )


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _in_place(notes: Sequence[str]) -> str:
    """`, 2 in place (p reads the local `q`: 1; ...)`: why no layer was added."""
    if not notes:
        return ""
    counts: dict[str, int] = {}
    for note in notes:
        reason = note.removeprefix("in place: ")
        counts[reason] = counts.get(reason, 0) + 1
    reasons = "; ".join(f"{reason}: {number}" for reason, number in counts.items())
    return f", {len(notes)} in place ({reasons})"


def summary(
    remaining: Sequence[Reported],
    fixed: int,
    errors: int,
    *,
    unsafe_fixes: bool,
    mode: str,  # "check", "fix" or "diff"
    in_place: Sequence[str] = (),  # the note of each fix written in place
) -> str:
    lines = []
    if mode in ("fix", "diff") and fixed:
        verb = "Fixed" if mode == "fix" else "Would fix"
        lines.append(f"{verb} {_count(fixed, 'finding')}{_in_place(in_place)}.")
    safe = sum(item.applicability == "safe" for item in remaining)
    unsafe = sum(item.applicability == "unsafe" for item in remaining)
    if remaining:
        count = _count(len(remaining), "finding")
        if mode == "check":
            text = f"Found {count}"
        else:
            text = f"{count} {'would ' if mode == 'diff' else ''}remain{'s' if len(remaining) == 1 and mode == 'fix' else ''}"
        parts = []
        fixable = safe + (unsafe if unsafe_fixes else 0)
        if fixable and mode == "check":
            flag = "--fix --unsafe-fixes" if unsafe_fixes and unsafe else "--fix"
            parts.append(f"{fixable} fixable with {flag}")
        if unsafe and not unsafe_fixes:
            more = "more " if parts else ""
            parts.append(f"{unsafe} {more}with --unsafe-fixes")
        lines.append(text + (f" ({', '.join(parts)})." if parts else "."))
    elif not errors:
        lines.append("All checks passed." if mode != "diff" or not fixed else "")
    if errors:
        lines.append(f"{_count(errors, 'file')} could not be checked (see above).")
    return "".join(line + "\n" for line in lines if line)
