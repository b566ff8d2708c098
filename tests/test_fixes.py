"""Before/after fixture pairs for the fixer (tests/fixes/<case>/).

A first line `# fix-options: --unsafe-fixes --fix-style=argument` sets the
options, as on the command line. Every pair is also checked to compile, to
lose exactly the findings that were fixed, and to be stable under a second run.
Set UPDATE_FIXES=1 to rewrite the after.py files, then review the diff by hand.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from flake8_dropout.engine import check
from flake8_dropout.fix import fix_source
from flake8_dropout.settings import Settings
from flake8_dropout.source import decode

FIXES = Path(__file__).parent / "fixes"
CASES = sorted(p.name for p in FIXES.iterdir() if (p / "before.py").exists())


def _options(text: str) -> dict:
    first = text.split("\n", 1)[0]
    flags = first.split(":", 1)[1].split() if first.startswith("# fix-options:") else []
    style = next((f.split("=", 1)[1] for f in flags if f.startswith("--fix-style=")), "layer")
    return {"unsafe": "--unsafe-fixes" in flags, "style": style}


def _fix(case: str):
    before = decode((FIXES / case / "before.py").read_bytes())
    result = fix_source(before.text, Settings(), **_options(before.text))
    return before, result


@pytest.mark.parametrize("case", CASES)
def test_fix_gives_the_expected_file(case: str) -> None:
    before, result = _fix(case)
    produced = before.encode(result.source)
    after_path = FIXES / case / "after.py"
    if os.environ.get("UPDATE_FIXES"):
        after_path.write_bytes(produced)
    assert produced == after_path.read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_fixed_file_compiles(case: str) -> None:
    compile((FIXES / case / "after.py").read_bytes(), f"{case}/after.py", "exec")


@pytest.mark.parametrize("case", CASES)
def test_fix_removes_exactly_the_fixed_findings(case: str) -> None:
    before, result = _fix(case)
    left = Counter(f.message for f in check(result.source, Settings()))
    expected = Counter(f.message for f in check(before.text, Settings()))
    expected.subtract(f.message for f in result.fixed)
    assert left == +expected


@pytest.mark.parametrize("case", CASES)
def test_second_fix_changes_nothing(case: str) -> None:
    before, result = _fix(case)
    again = fix_source(result.source, Settings(), **_options(before.text))
    assert again.source == result.source
    assert again.fixed == []
