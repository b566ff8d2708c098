"""`# noqa` where flake8 reads it: real flake8 against the command line and the fixer.

flake8 searches, for a reported line, the text of every line that shares a token
range with it (a multi-line string, a backslash continuation): a comment or a
string's text on any of those lines counts. The command line and the fixer must
agree, or the fix hook rewrites calls that flake8 leaves alone (issue 11).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from flake8_dropout.noqa import NoqaLines

HEAD = "import torch.nn.functional as F\nfrom torch import nn\n\n\nclass M(nn.Module):\n"
BODY = "    def forward(self, x):\n"
TAIL = "        return x\n"
Q = '"""'

# name -> (body lines of forward, whether flake8 reports the call(s): documents the
# expectation; the test asserts the tools agree and that this column is right).
CASES: dict[str, tuple[str, bool]] = {
    "string_first_line": (
        f"        doc = {Q}note  # noqa\n        text\n        {Q} + str(F.dropout(x))\n",
        False,
    ),
    "string_middle_line": (
        f"        doc = {Q}\n        note  # noqa\n        {Q} + str(F.dropout(x))\n",
        False,
    ),
    "string_last_line": (
        f"        doc = {Q}\n        note\n        # noqa {Q} + str(F.dropout(x))\n",
        False,
    ),
    "call_on_string_first_line": (
        f"        y = F.dropout(x) + len({Q}\n        # noqa\n        {Q})\n",
        False,
    ),
    "comment_after_closing_quotes": (
        f"        y = F.dropout(x) + len({Q}\n        text\n        {Q})  # noqa\n",
        False,
    ),
    "fstring_over_lines": (
        f"        doc = f{Q}{{x}}\n        # noqa\n        {Q} + str(F.dropout(x))\n",
        False,
    ),
    "code_listed": (
        f"        doc = {Q}\n        # noqa: DRP001\n        {Q} + str(F.dropout(x))\n",
        False,
    ),
    "code_prefix": (
        f"        doc = {Q}\n        # noqa:DRP\n        {Q} + str(F.dropout(x))\n",
        False,
    ),
    "other_code": (
        f"        doc = {Q}\n        # noqa: E501\n        {Q} + str(F.dropout(x))\n",
        True,
    ),
    "lowercase_code": (
        f"        doc = {Q}\n        # noqa: drp001\n        {Q} + str(F.dropout(x))\n",
        True,
    ),
    "first_directive_wins": (
        f"        doc = {Q}# noqa: E501\n        # noqa\n        {Q} + str(F.dropout(x))\n",
        True,
    ),
    # `[\s]?` after the colon may be the line break: the codes go on with the next line.
    "codes_on_next_line": (f"        doc = {Q}# noqa:\nDRP002\n{Q} + str(F.dropout(x))\n", True),
    "indented_line_after_colon": (
        f"        doc = {Q}# noqa:\n        DRP002\n{Q} + str(F.dropout(x))\n",
        False,
    ),
    "call_after_the_string": (
        f"        doc = {Q}\n        # noqa\n        {Q}\n        y = F.dropout(x)\n",
        True,
    ),
    "two_strings_one_range": (
        f"        y = {Q}a\n{Q} + str(F.dropout(x)) + {Q}\n# noqa{Q}\n",
        False,
    ),
    "string_in_parentheses": (
        f"        y = (\n            {Q}a\n# noqa\n{Q} + str(F.dropout(x))\n        )\n",
        False,
    ),
    "parenthesised_call": ("        y = F.dropout(\n            x)  # noqa\n", True),
    "noqa_before_parentheses": ("        y = (  # noqa\n            F.dropout(x))\n", True),
    "backslash_comment": ("        y = F.dropout(x) + \\\n            1  # noqa\n", False),
    "backslash_string": ('        y = "# noqa" + \\\n            str(F.dropout(x))\n', False),
    "backslash_first_line_only": (
        "        y = 1 + \\\n            2  # noqa\n        z = F.dropout(x)\n",
        True,
    ),
    "comment_line_before": ("        # noqa\n        y = F.dropout(x)\n", True),
    "comment_line_after": ("        y = F.dropout(x)\n        # noqa\n", True),
    "string_on_same_line": ('        y = "# noqa", F.dropout(x)\n', False),
    "no_space_after_hash": (
        f"        doc = {Q}\n        #noqa\n        {Q} + str(F.dropout(x))\n",
        True,
    ),
    "one_of_two_calls": (
        f"        a = F.dropout(x, 0.1) + len({Q}\n# noqa\n{Q})\n        b = F.dropout(x, 0.2)\n",
        True,
    ),
}
# A line that starts with the file-level `flake8: noqa` comment makes flake8 skip the whole
# file (any case, `:` or `=`, codes after it or not, even inside a string); after code on a
# line it does not.
FILE_CASES: dict[str, tuple[str, bool]] = {
    "file_directive": ("# flake8: noqa\n", False),
    "file_directive_with_codes": ("# flake8: noqa: E501\n", False),
    "file_directive_in_a_string": (f"{Q}\n  # FLAKE8= NOQA\n{Q}\n", False),
    "file_directive_after_code": ("X = 1  # flake8: noqa\n", True),
}
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
ALL = {**CASES, **FILE_CASES}
ROW = re.compile(
    r"^(?P<name>[^:\n]+\.py):(?P<line>\d+):(?P<col>\d+): (?P<code>DRP\d+) ", re.MULTILINE
)


def _source(name: str, newline: str) -> bytes:
    if name in FILE_CASES:
        text = FILE_CASES[name][0] + HEAD + BODY + "        return F.dropout(x)\n"
    else:
        text = HEAD + BODY + CASES[name][0] + TAIL
    return text.replace("\n", newline).encode("utf-8")


def _rows(output: str) -> dict[str, set[tuple[int, int, str]]]:
    found: dict[str, set[tuple[int, int, str]]] = {}
    for m in ROW.finditer(output):
        row = (int(m["line"]), int(m["col"]), m["code"])
        found.setdefault(Path(m["name"]).name, set()).add(row)
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Every case under every line ending, checked by flake8 and by the command line,
    and fixed: one run of each tool for all files, so the comparison stays cheap."""
    root = tmp_path_factory.mktemp("noqa")
    (root / "check").mkdir()
    for name in ALL:
        for key, newline in NEWLINES.items():
            (root / "check" / f"{name}_{key}.py").write_bytes(_source(name, newline))
    shutil.copytree(root / "check", root / "fix")
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "DRP", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert flake8.returncode in (0, 1) and "E999" not in flake8.stdout, (
        flake8.stdout + flake8.stderr
    )
    _, cli, _ = run_cli("--no-cache", "check", cwd=root)
    code, _, err = run_cli("--no-cache", "--fix", "--unsafe-fixes", "fix", cwd=root)
    assert code in (0, 1), err
    return {"root": root, "flake8": _rows(flake8.stdout), "cli": _rows(cli)}


@pytest.mark.parametrize("newline", list(NEWLINES))
@pytest.mark.parametrize("name", list(ALL))
def test_cli_reports_exactly_what_flake8_reports(runs, name, newline):
    file = f"{name}_{newline}.py"
    expected = runs["flake8"].get(file, set())
    assert runs["cli"].get(file, set()) == expected
    assert bool(expected) == ALL[name][1]  # the case tests the placement it names


@pytest.mark.parametrize("newline", list(NEWLINES))
@pytest.mark.parametrize("name", list(ALL))
def test_fixer_leaves_alone_what_flake8_does_not_report(runs, name, newline):
    """Each call's line survives the fix exactly when flake8 does not report it."""
    file = f"{name}_{newline}.py"
    before = _source(name, NEWLINES[newline]).decode("utf-8")
    after = (runs["root"] / "fix" / file).read_bytes().decode("utf-8")
    lines = before.split(NEWLINES[newline])
    reported = {line for line, _, _ in runs["flake8"].get(file, set())}
    after_lines = after.split(NEWLINES[newline])
    for number, text in enumerate(lines, start=1):
        if "F.dropout(" in text:
            assert (text in after_lines) == (number not in reported), (number, text, after)
    if not reported:
        assert after == before


def test_tokenize_errors_fall_back_to_the_physical_line():
    """flake8 drops its ranges when the tokenizer fails; so must we, without crashing."""
    noqa = NoqaLines('x = """\n# noqa\ny = F.dropout(x)  # noqa: DRP001\n')  # never closed
    assert noqa.range_of(1) == (1, 1)
    assert not noqa.suppresses(1, "DRP001")
    assert noqa.suppresses(3, "DRP001") and not noqa.suppresses(3, "DRP002")


def test_a_file_without_noqa_is_never_tokenized():
    """The common case pays one search of the text, not a tokenizer run."""
    noqa = NoqaLines('doc = """\nnote\n""" + str(F.dropout(x))\n')
    assert not noqa.suppresses(3, "DRP001")
    assert noqa._ranges is None
    assert NoqaLines('doc = """\n# NoQA\n""" + str(F.dropout(x))\n').suppresses(3, "DRP001")
