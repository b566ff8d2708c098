"""Each check's VALID and INVALID examples (checks.py), through the engine and real flake8."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flake8_dropout.checks import CHECKS, example_module
from flake8_dropout.engine import check
from flake8_dropout.rules import Code
from flake8_dropout.settings import Settings

INVALID = [(c.code, body) for c in CHECKS for body in c.invalid]
VALID = [body for c in CHECKS for body in c.valid]
EXAMPLE_LINE = 8  # the body's line in example_module


def test_every_code_has_a_check_with_examples():
    assert sorted(c.code for c in CHECKS) == sorted(Code)
    assert all(c.valid and c.invalid for c in CHECKS)


@pytest.mark.parametrize(("code", "body"), INVALID, ids=[b for _, b in INVALID])
def test_invalid_example_gets_its_code(code, body):
    for screens in (True, False):
        found = check(example_module(body), Settings(), screens=screens)
        assert [(f.line, f.code) for f in found] == [(EXAMPLE_LINE, code)]


@pytest.mark.parametrize("body", VALID)
def test_valid_example_gets_nothing(body):
    for screens in (True, False):
        assert check(example_module(body), Settings(), screens=screens) == []


def test_flake8_agrees_on_every_example(tmp_path):
    expected = {}
    for number, (code, body) in enumerate(INVALID):
        (tmp_path / f"invalid_{number}.py").write_text(example_module(body))
        expected[f"invalid_{number}.py"] = {f"{EXAMPLE_LINE}:{code.value}"}
    for number, body in enumerate(VALID):
        (tmp_path / f"valid_{number}.py").write_text(example_module(body))
        expected[f"valid_{number}.py"] = set()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--isolated",
            "--select=DRP",
            "--format=%(path)s|%(row)d:%(code)s",
            ".",
        ],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    found: dict[str, set[str]] = {name: set() for name in expected}
    for line in result.stdout.splitlines():
        path, _, rest = line.partition("|")
        found[path.removeprefix("./")].add(rest)
    assert found == expected
