"""The case files in tests/cases/, run through real flake8 (paths and stdin) and the engine.

Each offending line of a case file ends with `# expect: DRP00N` (several codes
space-separated); every other line must produce no finding.
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import one_definition_per_source

from flake8_dropout.engine import check
from flake8_dropout.settings import Settings

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(DRP\d{3}(?:\s+DRP\d{3})*)\s*$")
# flake8 output we can split without ambiguity (messages contain colons).
FORMAT = "%(path)s|%(row)d|%(col)d|%(code)s|%(text)s"
FLAKE8 = [sys.executable, "-m", "flake8", "--isolated", "--select=DRP", f"--format={FORMAT}"]


def expected(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            found.update((number, code) for code in match.group(1).split())
    return found


def parse(output: str) -> dict[str, list[tuple[int, int, str, str]]]:
    """flake8 output -> {path: [(row, 1-based col, code, text)]}."""
    results: dict[str, list[tuple[int, int, str, str]]] = {}
    for line in output.splitlines():
        path, row, col, code, text = line.split("|", 4)
        results.setdefault(path, []).append((int(row), int(col), code, text))
    return results


def run_flake8(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        FLAKE8 + args,
        check=False,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def flake8_on_paths(tmp_path_factory) -> dict[str, list[tuple[int, int, str, str]]]:
    """One flake8 run over every case file (cwd outside the repository: no config)."""
    cwd = tmp_path_factory.mktemp("flake8-paths")
    result = run_flake8([str(path) for path in CASES], cwd)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return parse(result.stdout)


@pytest.fixture(scope="module")
def flake8_on_stdin(tmp_path_factory) -> dict[str, list[tuple[int, int, str, str]]]:
    """`flake8 -` per case file, as editors call it, the runs in parallel."""
    cwd = tmp_path_factory.mktemp("flake8-stdin")

    def one(path: Path) -> subprocess.CompletedProcess:
        source = path.read_text(encoding="utf-8")
        return run_flake8([f"--stdin-display-name={path.name}", "-"], cwd, stdin=source)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, CASES))
    merged: dict[str, list[tuple[int, int, str, str]]] = {}
    for result in results:
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        merged.update(parse(result.stdout))
    return merged


def test_the_cases_are_there():
    assert len(CASES) >= 10
    codes = {code for path in CASES for _, code in expected(path)}
    assert codes == {"DRP001", "DRP002", "DRP003"}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_flake8_on_path(path: Path, flake8_on_paths):
    reported = {(row, code) for row, _, code, _ in flake8_on_paths.get(str(path), [])}
    assert reported == expected(path)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_flake8_on_stdin(path: Path, flake8_on_stdin):
    reported = {(row, code) for row, _, code, _ in flake8_on_stdin.get(path.name, [])}
    assert reported == expected(path)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_screens_are_sound(path: Path):
    """The cheap ast screens never change a finding: same result with them off."""
    source = path.read_text(encoding="utf-8")
    with_screens = check(source, Settings())
    without = check(source, Settings(), screens=False)
    key = [(f.line, f.column, f.code, f.message) for f in with_screens]
    assert key == [(f.line, f.column, f.code, f.message) for f in without]
    assert {(f.line, f.code.value) for f in without} == expected(path)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_screens_are_sound_on_each_definition_alone(path: Path):
    for source in one_definition_per_source(path.read_text(encoding="utf-8")):
        with_screens = [(f.line, f.column, f.code) for f in check(source, Settings())]
        without = [(f.line, f.column, f.code) for f in check(source, Settings(), screens=False)]
        assert with_screens == without, source


def test_paths_and_stdin_agree(flake8_on_paths, flake8_on_stdin):
    for path in CASES:
        assert flake8_on_paths.get(str(path), []) == flake8_on_stdin.get(path.name, [])


def _at(results, path: Path, row: int) -> list[tuple[int, str]]:
    return [(col, code) for r, col, code, _ in results[str(path)] if r == row]


def _row(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    (row,) = [number for number, line in enumerate(lines, 1) if fragment in line]
    return row


def test_columns_are_the_call_start(flake8_on_paths):
    """flake8 prints the 1-based column of the first character of the call."""
    imports = CASES_DIR / "imports_and_aliases.py"
    # `        x = F.dropout(x, 0.1)`: F is the 13th character.
    assert _at(flake8_on_paths, imports, _row(imports, "x = F.dropout(x, 0.1)")) == [(13, "DRP001")]
    # The inner call of a nested pair is reported at its own start.
    nested = _row(imports, "y = F.dropout(F.dropout(x)")
    assert _at(flake8_on_paths, imports, nested) == [(23, "DRP001")]
    # Columns count characters, not UTF-8 bytes, after non-ASCII text.
    line = next(t for t in imports.read_text(encoding="utf-8").splitlines() if "héllo" in t)
    col = line.index("F.dropout(y)") + 1
    assert _at(flake8_on_paths, imports, _row(imports, "héllo")) == [(col, "DRP001")]
    # A multi-line call is reported on its first line, where the call starts.
    multi = _row(imports, "x = F.dropout(  # expect")
    assert _at(flake8_on_paths, imports, multi) == [(13, "DRP001")]
    # Tab indentation: one column per tab, as flake8 counts for every plugin.
    nesting = CASES_DIR / "receivers_and_nesting.py"
    assert _at(flake8_on_paths, nesting, _row(nesting, "\t\treturn F.dropout(x)")) == [
        (10, "DRP001")
    ]
    # Inside an f-string replacement field.
    fstring = _row(nesting, 'print(f"mean after dropout')
    assert _at(flake8_on_paths, nesting, fstring) == [(38, "DRP001")]


def test_messages_say_what_happens_at_run_time(flake8_on_paths):
    alpha = CASES_DIR / "alpha_variants.py"
    texts = {(row, code): text for row, _, code, text in flake8_on_paths[str(alpha)]}

    def text(fragment: str, code: str) -> str:
        return texts[(_row(alpha, fragment), code)]

    missing = text("x = F.dropout(x)  #", "DRP001")
    assert missing.startswith("F.dropout() without training=")
    assert "always active, even after model.eval()" in missing
    assert "nn.Dropout" in missing
    for fragment, layer in [
        ("x = F.alpha_dropout(x)  #", "nn.AlphaDropout"),
        ("x = F.feature_alpha_dropout(x)  #", "nn.FeatureAlphaDropout"),
        ("x = fad(x)", "nn.FeatureAlphaDropout"),
    ]:
        message = text(fragment, "DRP001")
        assert "never active, even in training" in message
        assert layer in message
    assert "always active, even after model.eval()" in text("0.1, training=True)", "DRP002")
    assert "does not follow the module's train/eval mode" in text("training=False)", "DRP003")
    assert "training=self.training" in text("training=False)", "DRP003")
