"""Adopting the check on a large tree: --add-noqa, --statistics and `flake8-dropout rule`."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers import run_cli as run

from flake8_dropout.rule_docs import RULES

ROOT = Path(__file__).resolve().parent.parent
HEADER = "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
# Every place a comment can or cannot go, with the line each finding is reported on.
LAYOUTS = HEADER + (
    "class M(nn.Module):\n"
    "    def forward(self, x, training):\n"
    "        a = F.dropout(x)\n"  # 7: plain
    "        b = F.dropout(x)  # keep this comment\n"  # 8: another comment
    "        c = F.dropout(x, training=True)  # noqa: E501 long line\n"  # 9: other codes
    '        d = F.dropout(x, p=float("""0.1\n'  # 10: the line ends inside a string
    '"""))\n'
    "        e = F.dropout(x) + \\\n"  # 12: a backslash continuation
    "            1\n"
    "        f = F.dropout(\n"  # 14: a call over several lines
    "            x, training=training\n"
    "        )\n"
    "        g = F.dropout(x, training=True) + F.dropout(x)\n"  # 17: two codes
    "        return a + b + c + d + e + f + g\n"
)


def flake8_codes(path: Path) -> list[tuple[int, str]]:  # a file or a folder
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "DRP", "--format", "%(row)d %(code)s", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return [(int(row), code) for row, code in (line.split() for line in result.stdout.splitlines())]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_add_noqa_silences_every_finding_where_flake8_reads_it(tmp_path, newline):
    path = tmp_path / "m.py"
    path.write_bytes(LAYOUTS.replace("\n", newline).encode("utf-8"))
    before = flake8_codes(path)
    assert [line for line, _ in before] == [7, 8, 9, 10, 12, 14, 17, 17]

    code, out, err = run("--add-noqa", "--no-cache", "m.py", cwd=tmp_path)
    assert (code, out) == (0, "")
    assert "Added 7 noqa directives." in err
    assert flake8_codes(path) == []  # real flake8 honours every comment
    assert run("--no-cache", "m.py", cwd=tmp_path)[:2] == (0, "")  # and so does the CLI

    data = path.read_bytes()
    assert data.count(b"\r\n") == (data.count(b"\n") if newline == "\r\n" else 0)
    text = data.decode("utf-8")
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(LAYOUTS))  # only comments added
    lines = text.splitlines()
    assert lines[6].endswith("a = F.dropout(x)  # noqa: DRP001")
    assert lines[7].endswith("# keep this comment  # noqa: DRP001")
    assert lines[8].endswith("# noqa: E501, DRP002 long line")
    assert lines[9].endswith('float("""0.1') and lines[10] == '"""))  # noqa: DRP001'
    assert lines[11].endswith("+ \\") and lines[12].endswith("1  # noqa: DRP001")
    assert lines[13].endswith("F.dropout(  # noqa: DRP003")
    assert lines[16].endswith("F.dropout(x)  # noqa: DRP001, DRP002")

    # A second run finds nothing to silence and changes nothing.
    code, _, err = run("--add-noqa", "--no-cache", "m.py", cwd=tmp_path)
    assert code == 0 and "Added 0 noqa directives." in err
    assert path.read_bytes() == data


def test_add_noqa_follows_the_selection_and_stdin(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(LAYOUTS, encoding="utf-8")
    code, out, _ = run("--add-noqa", "--select", "DRP002", "--no-cache", "m.py", cwd=tmp_path)
    assert (code, out) == (0, "")
    assert sorted({c for _, c in flake8_codes(path)}) == ["DRP001", "DRP003"]
    assert path.read_text(encoding="utf-8").count("DRP002") == 2

    code, out, err = run("--add-noqa", "-", stdin=LAYOUTS.encode(), cwd=tmp_path)
    assert code == 0 and "Added 7 noqa directives." in err
    (tmp_path / "fromstdin.py").write_text(out, encoding="utf-8", newline="")
    assert flake8_codes(tmp_path / "fromstdin.py") == []


def test_add_noqa_refuses_fix_and_diff_and_leaves_notebooks_alone(tmp_path):
    (tmp_path / "m.py").write_text(LAYOUTS, encoding="utf-8")
    for flag in ("--fix", "--diff"):
        code, _, err = run("--add-noqa", flag, "m.py", cwd=tmp_path)
        assert code == 2 and "--add-noqa cannot be combined" in err
    assert (tmp_path / "m.py").read_text(encoding="utf-8") == LAYOUTS
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": LAYOUTS}]})
    (tmp_path / "m.ipynb").write_text(notebook, encoding="utf-8")
    code, _, err = run("--add-noqa", "m.ipynb", "m.py", cwd=tmp_path)
    assert code == 2 and "m.ipynb: error: --add-noqa does not edit notebooks yet" in err
    assert (tmp_path / "m.ipynb").read_text(encoding="utf-8") == notebook
    assert "Added 7 noqa directives." in err  # the other file is still done


def test_cli_reads_noqa_after_a_multiline_string_like_flake8(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        HEADER + "class M(nn.Module):\n    def forward(self, x):\n"
        '        return F.dropout(x, p=float("""0.1\n"""))  # noqa: DRP001\n',
        encoding="utf-8",
    )
    assert flake8_codes(path) == []
    assert run("--no-cache", "m.py", cwd=tmp_path)[:2] == (0, "")
    assert run("--fix", "m.py", cwd=tmp_path)[0] == 0
    assert "noqa" in path.read_text(encoding="utf-8")  # the fixer left it alone


def test_statistics_counts_each_code_like_ruff(tmp_path):
    (tmp_path / "m.py").write_text(LAYOUTS, encoding="utf-8")
    _, out, _ = run("--no-cache", "--output-format", "json", "m.py", cwd=tmp_path)
    counts = Counter(row["code"] for row in json.loads(out))
    code, out, err = run("--no-cache", "--statistics", "m.py", cwd=tmp_path)
    assert code == 1 and "Found 8 findings" in err
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(int(n), c) for n, c, _ in rows] == sorted(
        ((n, c) for c, n in counts.items()), key=lambda r: (-r[0], r[1])
    )
    assert {c: name for _, c, name in rows} == {
        "DRP001": "[*] " + RULES["DRP001"].name,  # safe fix
        "DRP002": "    " + RULES["DRP002"].name,  # unsafe: not without --unsafe-fixes
        "DRP003": "    " + RULES["DRP003"].name,
    }
    _, out, _ = run(
        "--statistics", "--unsafe-fixes", "--output-format", "json", "m.py", cwd=tmp_path
    )
    stats = json.loads(out)
    assert {s["code"]: (s["count"], s["fixable"]) for s in stats} == {
        c: (n, True) for c, n in counts.items()
    }


def test_rule_prints_the_readme_section(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, doc in RULES.items():
        assert f"### {code}\n\n{doc.text}\n\n" in readme  # one text, in both places
        status, out, _ = run("rule", code.lower(), cwd=tmp_path)
        assert status == 0
        assert out.startswith(f"# {doc.name} ({code})\n")
        assert doc.text in out
    assert "Fix is available with `--fix`." in run("rule", "DRP001", cwd=tmp_path)[1]
    assert "--unsafe-fixes" in run("rule", "DRP002", cwd=tmp_path)[1]
    status, out, _ = run("rule", "--all", cwd=tmp_path)
    assert status == 0 and all(doc.text in out for doc in RULES.values())
    status, _, err = run("rule", "DRP999", cwd=tmp_path)
    assert status == 2 and "unknown code 'DRP999'" in err


def test_a_path_named_like_a_subcommand_is_checked_as_dot_slash_or_after_dashes(tmp_path):
    (tmp_path / "rule").mkdir()
    (tmp_path / "rule" / "m.py").write_text(LAYOUTS, encoding="utf-8")
    assert run("rule", "DRP001", cwd=tmp_path)[0] == 0  # still the subcommand
    for args in (["./rule"], ["--", "rule"]):
        status, out, _ = run("--no-cache", *args, cwd=tmp_path)
        assert status == 1 and out.count("DRP00") == 8


def test_add_noqa_over_every_case_and_fixture_file(tmp_path):
    """Every layout the tests know (CRLF, CR, BOM, encodings, comments, noqa lists): after
    --add-noqa neither flake8 nor the command line reports anything, the code is unchanged
    but for comments, and a second run changes nothing."""
    import shutil

    folder = tmp_path / "tree"
    folder.mkdir()
    originals = {}
    sources = [
        *(ROOT / "tests" / "cases").glob("*.py"),
        *(ROOT / "tests" / "fixes").glob("*/before.py"),
    ]
    for source in sources:
        name = source.name if source.parent.name == "cases" else f"{source.parent.name}.py"
        shutil.copyfile(source, folder / name)
        originals[name] = source.read_bytes()
    _, out, _ = run("--no-cache", "--output-format", "json", "tree", cwd=tmp_path)
    rows = json.loads(out)
    found = len(rows)
    lines = len({(row["path"], row["line"]) for row in rows})  # one directive per line
    assert found > 100
    assert len(flake8_codes(folder)) == found

    code, out, err = run("--no-cache", "--add-noqa", "tree", cwd=tmp_path)
    assert (code, out) == (0, "")
    assert f"Added {lines} noqa directives." in err
    assert flake8_codes(folder) == []
    assert run("--no-cache", "tree", cwd=tmp_path)[:2] == (0, "")
    after = {name: (folder / name).read_bytes() for name in originals}
    for name, data in after.items():
        assert ast.dump(ast.parse(data)) == ast.dump(ast.parse(originals[name])), name
    assert run("--no-cache", "--add-noqa", "tree", cwd=tmp_path)[0] == 0
    assert {name: (folder / name).read_bytes() for name in originals} == after
