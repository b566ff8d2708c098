"""The command line on notebooks: found in folders, checked, fixed, diffed, cached, for real."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import run_cli

nbformat = pytest.importorskip("nbformat")

MODEL = Path(__file__).parent / "notebooks" / "model.ipynb"
# The two findings of model.ipynb: cell 3 (Block.forward) and cell 5 (Head.step, under %%time).
FINDINGS = ["model.ipynb:cell 3:8:16: DRP001", "model.ipynb:cell 5:4:16: DRP001"]


def run(*args, cwd, stdin=None):
    return run_cli(*args, "--no-cache", cwd=cwd, stdin=stdin)


def sources(data: bytes) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(data)["cells"]]


@pytest.fixture
def work(tmp_path):
    shutil.copy(MODEL, tmp_path / "model.ipynb")
    return tmp_path


def test_check_text(work):
    code, out, err = run(".", cwd=work)
    assert code == 1, err
    assert [line.split(" F.")[0] for line in out.splitlines()] == FINDINGS
    assert "Found 2 findings (2 fixable with --fix)." in err


def test_check_json_and_github(work):
    code, out, _ = run("model.ipynb", "--output-format", "json", cwd=work)
    assert code == 1
    rows = json.loads(out)
    assert [(r["path"], r["cell"], r["line"], r["column"], r["code"]) for r in rows] == [
        ("model.ipynb", 3, 8, 16, "DRP001"),
        ("model.ipynb", 5, 4, 16, "DRP001"),
    ]
    (work / "plain.py").write_text("x = 1\n", encoding="utf-8")
    code, out, _ = run("--output-format", "github", "model.ipynb", cwd=work)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("::error title=flake8-dropout DRP001,file=model.ipynb::")
    assert "line=" not in first  # a cell's line is not a line of the JSON GitHub shows
    assert "::model.ipynb:cell 3:8:16: DRP001" in first


def test_fix_writes_only_the_fixed_cells(work):
    before = (work / "model.ipynb").read_bytes()
    code, out, err = run("--fix", "model.ipynb", cwd=work)
    assert (code, out) == (0, ""), err
    assert "Fixed 2 findings." in err
    after = (work / "model.ipynb").read_bytes()
    old, new = sources(before), sources(after)
    changed = [i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b]
    # Each layer goes into its class's cell; an import, if the fix needs one
    # (`import torch` may be enough), joins the imports of cell 2.
    assert changed in ([2, 3, 5], [3, 5])
    if 2 in changed:
        assert new[1].startswith(old[1] + "\n")
    assert "self.dropout = " in new[2] and "Dropout(p=self.p)" in new[2]
    assert new[4].startswith("%%time\nclass Head(Block):\n    def __init__(self, *args, **kwargs):")
    # Byte for byte what Jupyter (nbformat) would write for these sources: outputs,
    # metadata, ids, key order, indentation and the last newline untouched.
    expected = nbformat.reads(before.decode(), as_version=4)
    for cell, source in zip(expected.cells, new):
        cell.source = source
    assert before.endswith(b"}\n")  # nbformat.write adds the newline that writes() does not
    assert after == nbformat.writes(expected).encode() + b"\n"
    assert json.loads(after)["cells"][6]["outputs"] == json.loads(before)["cells"][6]["outputs"]
    code, out, err = run("--fix", "model.ipynb", cwd=work)  # nothing left to do
    assert (code, out) == (0, "")
    assert (work / "model.ipynb").read_bytes() == after


def test_diff_shows_cells_and_writes_nothing(work):
    before = (work / "model.ipynb").read_bytes()
    code, out, err = run("--diff", ".", cwd=work)
    assert code == 1, err
    assert (work / "model.ipynb").read_bytes() == before
    headers = [line for line in out.splitlines() if line.startswith(("--- ", "+++ "))]
    cells = ["3", "5"] if "cell 2" not in out else ["2", "3", "5"]
    assert headers == [f"{sign} model.ipynb:cell {n}" for n in cells for sign in ("---", "+++")]
    assert "No newline at end of file" not in out  # a cell's last line, ended for the diff
    assert "-        return F.dropout(self.linear(x), self.p)\n" in out
    assert '"source"' not in out  # cells' Python, not JSON
    assert "Would fix 2 findings." in err


def test_folder_discovery_and_include(work):
    (work / "sub").mkdir()
    shutil.copy(MODEL, work / "sub" / "other.ipynb")
    (work / "notes.txt").write_text("torch dropout\n", encoding="utf-8")
    code, out, _ = run(".", cwd=work)
    assert code == 1
    assert sorted({line.split(":")[0] for line in out.splitlines()}) == [
        "model.ipynb",
        "sub/other.ipynb",
    ]
    (work / "pyproject.toml").write_text('[tool.flake8-dropout]\ninclude = ["*.py"]\n')
    assert run(".", cwd=work)[:2] == (0, "")
    assert run("model.ipynb", cwd=work)[0] == 1  # named: always checked
    (work / "pyproject.toml").write_text(
        '[tool.flake8-dropout]\ninclude = ["*.py"]\nextend-include = ["sub/*.ipynb"]\n'
    )
    code, out, _ = run(".", cwd=work)
    assert {line.split(":")[0] for line in out.splitlines()} == {"sub/other.ipynb"}
    code, out, _ = run(".", "--extend-include", "*.ipynb", cwd=work)
    assert {line.split(":")[0] for line in out.splitlines()} == {"model.ipynb", "sub/other.ipynb"}


BROKEN = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "source": ["import torch.nn.functional as F\n", "import torch"], "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": ["def broken(:\n", "    F.dropout(x)"], "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": ["%%bash\n", "echo F.dropout(x) torch"], "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": ["class M(torch.nn.Module):\n", "    def forward(self, x):\n", "        return F.dropout(x)"], "outputs": [], "execution_count": None},
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}  # fmt: skip


def test_a_cell_that_is_not_python_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "broken.ipynb"
    data = json.dumps(BROKEN, indent=2).encode()
    path.write_bytes(data)
    code, out, err = run("broken.ipynb", cwd=tmp_path)
    assert code == 2
    assert out.startswith("broken.ipynb:cell 4:3:16: DRP001")
    assert "broken.ipynb:cell 2: error: SyntaxError at line 1" in err
    code, out, err = run("--fix", "broken.ipynb", cwd=tmp_path)
    assert code == 2  # the broken cell is still reported
    new, old = sources(path.read_bytes()), sources(data)
    # The notebook reaches torch.nn as `torch.nn.X`: the fix spells it so and adds no import.
    assert new[:3] == old[:3]
    assert "self.dropout = torch.nn.Dropout()" in new[3]


def test_stdin_with_a_notebook_name(work):
    data = (work / "model.ipynb").read_bytes()
    code, out, err = run("-", "--stdin-filename", "nb/model.ipynb", cwd=work, stdin=data)
    assert code == 1
    assert out.startswith("nb/model.ipynb:cell 3:8:16: DRP001")
    code, out, err = run("-", "--fix", "--stdin-filename", "model.ipynb", cwd=work, stdin=data)
    assert code == 0, err
    run("--fix", "model.ipynb", cwd=work)
    assert out.encode() == (work / "model.ipynb").read_bytes()


def test_not_a_notebook(tmp_path):
    (tmp_path / "bad.ipynb").write_text("{not json", encoding="utf-8")
    code, out, err = run("bad.ipynb", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert "bad.ipynb: error: not a notebook: invalid JSON" in err


def test_cache_keeps_the_cell(work):
    first = run_cli(".", "--output-format", "json", cwd=work)
    [cache] = (work / ".flake8-dropout-cache").glob("results-*.json")
    data = json.loads(cache.read_text())
    [entry] = data["files"].values()
    assert [row[-1] for row in entry[3]] == [3, 5]  # the cell comes last
    for row in entry[3]:
        row[3] += " (from the cache)"
    cache.write_text(json.dumps(data))
    code, out, _ = run_cli(".", "--output-format", "json", cwd=work)
    assert code == 1
    rows = json.loads(out)
    assert [r["cell"] for r in rows] == [r["cell"] for r in json.loads(first[1])] == [3, 5]
    assert all("(from the cache)" in r["message"] for r in rows)


def test_noqa_in_a_cell(work):
    path = work / "model.ipynb"
    document = json.loads(path.read_bytes())
    document["cells"][2]["source"][-1] += "  # noqa: DRP001"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    code, out, _ = run("model.ipynb", cwd=work)
    assert code == 1
    assert [line.split(" F.")[0] for line in out.splitlines()] == FINDINGS[1:]
