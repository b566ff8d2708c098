"""Findings for CI dashboards: SARIF (GitHub code scanning), GitLab Code Quality, JUnit.

Each format is what its consumer reads, nothing more: the tests validate the
output against the published schema (SARIF 2.1.0) or the documented format
and read it back with a real consumer (junitparser for JUnit).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .report import Reported

TOOL = "flake8-dropout"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _cell(item: Reported) -> int | None:
    """A notebook finding's cell: its `line` counts in that cell, not in the file."""
    return getattr(item, "cell", None)


def _where(item: Reported) -> str:
    """Where in the file, for the formats whose lines must be the file's lines."""
    cell = _cell(item)
    return f"line {item.line}" if cell is None else f"cell {cell}, line {item.line}"


def _relative(path: str) -> str:
    """The path as dashboards resolve it against the repository root: relative, with `/`,
    without `./` (an absolute path inside the current folder becomes relative to it)."""
    if os.path.isabs(path):
        inside = os.path.relpath(path)
        if inside.startswith(os.pardir):
            return path
        path = inside
    return os.path.normpath(path).replace(os.sep, "/")


def _uri(path: str) -> str:
    """A SARIF artifact URI: a relative URI (code scanning resolves it against the
    repository root), or a file URI for a file outside the current folder."""
    from pathlib import Path
    from urllib.parse import quote

    path = _relative(path)
    return Path(path).as_uri() if os.path.isabs(path) else quote(path)


def format_sarif(items: Sequence[Reported]) -> str:
    """SARIF 2.1.0, as GitHub code scanning uploads it (`github/codeql-action/upload-sarif`)."""
    from .rule_docs import RULES  # the rules' texts: loaded only for this format

    codes = sorted(RULES)
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": _plain(RULES[code].summary)},
            "fullDescription": {"text": _plain(RULES[code].text.split("\n\n")[0])},
            "help": {"text": _plain(RULES[code].text), "markdown": RULES[code].text},
            "defaultConfiguration": {"level": "error"},
            "properties": {"fix": RULES[code].fix.value},
        }
        for code in codes
    ]
    results = []
    for item in items:
        physical: dict = {"artifactLocation": {"uri": _uri(item.path)}}
        text = item.description
        if _cell(item) is None:
            physical["region"] = {"startLine": item.line, "startColumn": item.column + 1}
        else:  # a notebook: its lines are not the JSON file's; the whole file, the cell named
            text = f"{_where(item)}, column {item.column + 1}: {text}"
        results.append(
            {
                "ruleId": item.code,
                **({"ruleIndex": codes.index(item.code)} if item.code in RULES else {}),
                "level": "error",
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
                "properties": {"fix": item.applicability},
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL, "version": __version__, "rules": rules}},
                # Our columns count characters (code points), not UTF-16 units.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _plain(markdown: str) -> str:
    """Markdown without emphasis and code marks, for the `text` fields of SARIF."""
    return markdown.replace("**", "").replace("`", "")


def format_gitlab(items: Sequence[Reported]) -> str:
    """GitLab Code Quality (a subset of the Code Climate spec), for `artifacts:reports:codequality`.

    The fingerprint must be unique per finding and stable while the code moves:
    it hashes the path, the code, the message and the finding's rank among the
    identical ones of that file, not the line number.
    """
    import hashlib

    seen: dict[tuple[str, str, str, str], int] = {}
    issues = []
    for item in items:
        cell = _cell(item)
        key = (item.path, str(cell or ""), item.code, item.description)
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        fingerprint = hashlib.sha256("\0".join([*key, str(rank)]).encode("utf-8")).hexdigest()
        location: dict = {"path": _relative(item.path)}
        if cell is None:
            location["lines"] = {"begin": item.line}
            location["positions"] = {"begin": {"line": item.line, "column": item.column + 1}}
        else:  # GitLab needs a line: the file's first; the description names the cell
            location["lines"] = {"begin": 1}
        issues.append(
            {
                "type": "issue",
                "check_name": item.code,
                "description": item.message if cell is None else f"{item.message} ({_where(item)})",
                "categories": ["Bug Risk"],
                "severity": "major",
                "fingerprint": fingerprint,
                "location": location,
            }
        )
    return json.dumps(issues, indent=2) + "\n"


def format_junit(items: Sequence[Reported]) -> str:
    """JUnit XML: a test suite per file, a failed test case per finding (as ruff writes it)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name=TOOL, tests=str(len(items) or 1))
    root.set("failures", str(len(items)))
    root.set("errors", "0")
    by_path: dict[str, list[Reported]] = {}
    for item in items:
        by_path.setdefault(item.path, []).append(item)
    if not by_path:
        suite = ET.SubElement(root, "testsuite", name=TOOL, tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="No findings", classname=TOOL)
    for path, found in by_path.items():
        suite = ET.SubElement(
            root, "testsuite", name=path, tests=str(len(found)), failures=str(len(found))
        )
        suite.set("errors", "0")
        for item in found:
            case = ET.SubElement(
                suite, "testcase", name=f"{TOOL}.{item.code}", classname=path, file=path
            )
            if _cell(item) is None:
                case.set("line", str(item.line))
            failure = ET.SubElement(case, "failure", message=item.description, type=item.code)
            failure.text = f"{_where(item)}, col {item.column + 1}, {item.description}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


FORMATS = {
    "sarif": format_sarif,
    "gitlab": format_gitlab,
    "junit": format_junit,
}
