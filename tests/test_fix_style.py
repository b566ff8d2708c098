"""The fix writes what the file's authors would: names, spelling, imports, layout.

Real tools judge every fixture pair of tests/fixes: `flake8 --select E,W` at
88 characters reports nothing in after.py that before.py did not have, and a
before.py that `ruff check --select I` accepts gives an after.py it accepts too.
The line length reaches the fixer from the project's configuration.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from helpers import run_cli

from flake8_dropout.fix import fix_source
from flake8_dropout.fix_spelling import layer_attribute
from flake8_dropout.line_length import line_length_for
from flake8_dropout.settings import Settings

FIXES = Path(__file__).parent / "fixes"
CASES = sorted(p.name for p in FIXES.iterdir() if (p / "before.py").exists())
FIRST_PARTY = "lint.isort.known-first-party = ['mypackage']"


@pytest.fixture(scope="module")
def pycodestyle() -> dict[str, Counter]:
    """flake8's E and W codes per fixture file, from one real flake8 run."""
    files = [str(FIXES / c / n) for c in CASES for n in ("before.py", "after.py")]
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "E,W"]
    command += ["--max-line-length", "88", *files]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    found: dict[str, Counter] = {f: Counter() for f in files}
    for line in result.stdout.splitlines():
        match = re.match(r"(.+?):\d+:\d+: ([EW]\d+) ", line)
        assert match, line
        found[match.group(1)][match.group(2)] += 1
    return found


@pytest.mark.parametrize("case", CASES)
def test_fix_adds_no_pycodestyle_warning(case: str, pycodestyle) -> None:
    before = pycodestyle[str(FIXES / case / "before.py")]
    after = pycodestyle[str(FIXES / case / "after.py")]
    new = after - before
    if before["W191"]:  # a tab-indented file: new lines in its own style are tab-indented too
        del new["W191"]
    assert new == Counter()


def _isort_errors(files: list[Path]) -> set[str]:
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "I"]
    command += ["--config", FIRST_PARTY, "--output-format", "json", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    return {Path(item["filename"]).resolve().as_posix() for item in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def isort_unsorted() -> set[str]:
    return _isort_errors([FIXES / c / n for c in CASES for n in ("before.py", "after.py")])


@pytest.mark.parametrize("case", CASES)
def test_fix_keeps_isort_order(case: str, isort_unsorted: set[str]) -> None:
    before = (FIXES / case / "before.py").resolve().as_posix()
    after = (FIXES / case / "after.py").resolve().as_posix()
    if before not in isort_unsorted:
        assert after not in isort_unsorted


def test_import_fixtures_are_isort_clean_before(isort_unsorted: set[str]) -> None:
    """The import cases prove something only if ruff accepts them as they are."""
    cases = [c for c in CASES if c.startswith(("import_", "spelling_"))]
    assert len(cases) >= 6
    for case in cases:
        assert (FIXES / case / "before.py").resolve().as_posix() not in isort_unsorted


def test_layer_names() -> None:
    import libcst as cst

    def name(rate: str | None, taken=(), planned=(), layer="Dropout") -> str:
        expr = cst.parse_expression(rate) if rate is not None else None
        return layer_attribute(layer, expr, set(taken), set(planned))

    assert name("self.dropout") == "dropout"
    assert name("self.dropout", {"dropout"}) == "dropout_layer"
    assert name("self.activation_dropout", {"dropout", "activation_dropout"}) == (
        "activation_dropout_layer"
    )
    assert name("config.attention_dropout", {"dropout"}) == "attention_dropout"
    assert name("config.attention_dropout", {"dropout", "attention_dropout"}) == (
        "attention_dropout_layer"
    )
    assert name("config.hidden_dropout_prob", {"dropout"}) == "hidden_dropout"
    assert name("self.drop_rate", {"dropout"}) == "drop"
    assert name("0.1", {"dropout"}) == "dropout_layer"
    assert name("0.3", {"dropout"}, planned={"dropout"}) == "dropout_1"
    assert name("self.rate", {"dropout", "dropout_layer", "dropout_1"}) == "dropout_2"
    assert name("self.p", {"dropout2d"}, layer="Dropout2d") == "dropout2d_layer"
    assert name(None, {"ｄropout"}) == "dropout_layer"  # NFKC: the same name to Python


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, 88),
        ({"setup.cfg": "[flake8]\nmax-line-length = 100\n"}, 100),
        ({"tox.ini": "[flake8]\nmax_line_length = 79\n"}, 79),
        ({".flake8": "[flake8]\nselect = E\n"}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 119\n"}, 119),
        ({"ruff.toml": "line-length = 120\n"}, 120),
        ({"pyproject.toml": "[tool.black]\nline-length = 80\n"}, 80),
        (
            {
                "pyproject.toml": "[tool.ruff]\nline-length = 119\n",
                "setup.cfg": "[flake8]\nmax-line-length = 100\n",
            },
            100,
        ),
        ({"setup.cfg": "[flake8]\nmax-line-length = many\n"}, 88),
    ],
)
def test_line_length_from_the_project(tmp_path: Path, files: dict, expected: int) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    for name, text in files.items():
        (project / name).write_text(text)
    assert line_length_for(str(project / "pkg" / "model.py")) == expected


LONG = textwrap.dedent(
    """\
    import torch
    import torch.nn.functional as F


    class Net(torch.nn.Module):
        def forward(self, hidden_states, rate):
            return F.dropout(hidden_states, rate * 2)
    """
)


def test_fix_source_wraps_at_the_given_length() -> None:
    kept = fix_source(LONG, Settings(), line_length=88).source
    assert "F.dropout(hidden_states, rate * 2, training=self.training)\n" in kept
    wrapped = fix_source(LONG, Settings(), line_length=60).source
    assert "F.dropout(\n            hidden_states, rate * 2, training=self.training\n" in wrapped


@pytest.mark.parametrize(
    ("config", "wrapped"),
    [("[flake8]\nmax-line-length = 60\n", True), ("[flake8]\nmax-line-length = 100\n", False)],
)
def test_cli_fix_uses_the_project_line_length(tmp_path: Path, config: str, wrapped: bool) -> None:
    (tmp_path / "setup.cfg").write_text(config)
    model = tmp_path / "model.py"
    model.write_text(LONG)
    status, _, err = run_cli("--fix", "--no-cache", str(model), cwd=tmp_path)
    assert status == 0, err
    fixed = model.read_text()
    assert ("F.dropout(\n" in fixed) is wrapped
    assert "training=self.training" in fixed
