"""Nested configuration (issue 13): which files are checked follows each folder's own table.

Real `python -m flake8_dropout` runs on scratch trees. The tree (see `_project`):

    pyproject.toml        extend-exclude = ["gen", "third_party", "pkgA/legacy"]
    top.py  gen/g.py  x.pyw
    third_party/          its own table, which excludes nothing
    pkgA/pyproject.toml   extend-exclude = ["vendored", "legacy/old.py"], extend-include = ["*.pyw"]
    pkgA/m.py  pkgA/vendored/v.py  pkgA/legacy/old.py  pkgA/legacy/new.py  pkgA/gen/g.py
    pkgA/build/b.py  pkgA/y.pyw
    pkgB/pyproject.toml   include = ["*_model.py"], ignore = ["DRP001"], output-format = "json"
    pkgB/a_model.py  pkgB/other.py  pkgB/lit_model.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers import run_cli as run

HEADER = "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
BAD = HEADER + "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
LITERAL = (
    HEADER + "class L(nn.Module):\n    def forward(self, x):\n"
    "        return F.dropout(x, training=True)\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _project(root: Path) -> Path:
    write(
        root / "pyproject.toml",
        '[tool.flake8-dropout]\nextend-exclude = ["gen", "third_party", "pkgA/legacy"]\n',
    )
    for name in ["top.py", "gen/g.py", "x.pyw", "third_party/t.py"]:
        write(root / name, BAD)
    write(root / "third_party/pyproject.toml", "[tool.flake8-dropout]\n")
    write(
        root / "pkgA/pyproject.toml",
        "[tool.flake8-dropout]\n"
        'extend-exclude = ["vendored", "legacy/old.py"]\nextend-include = ["*.pyw"]\n',
    )
    for name in ["m.py", "vendored/v.py", "legacy/old.py", "legacy/new.py", "gen/g.py"]:
        write(root / "pkgA" / name, BAD)
    write(root / "pkgA/build/b.py", BAD)
    write(root / "pkgA/y.pyw", BAD)
    write(
        root / "pkgB/pyproject.toml",
        '[tool.flake8-dropout]\ninclude = ["*_model.py"]\nignore = ["DRP001"]\n'
        'output-format = "json"\n',
    )
    write(root / "pkgB/a_model.py", BAD)  # DRP001: ignored by pkgB's table
    write(root / "pkgB/other.py", LITERAL)  # not a *_model.py
    write(root / "pkgB/lit_model.py", LITERAL)  # DRP002: reported
    return root


def _found(root: Path, cwd: Path, *args: str) -> tuple[int, dict[str, list[str]], str]:
    """(exit status, {path relative to `root`: [codes]}, stderr) of a text-format run."""
    code, out, err = run(*args, "--no-cache", "--output-format", "text", cwd=cwd)
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        path, _line, _column, rest = line.split(":", 3)
        shown = os.path.relpath(os.path.normpath(cwd / path), root)
        found.setdefault(shown, []).append(rest.split()[0])
    return code, found, err


CHECKED_FROM_THE_TOP = {
    "top.py": ["DRP001"],
    "pkgA/m.py": ["DRP001"],
    "pkgA/legacy/new.py": ["DRP001"],  # the parent's "pkgA/legacy" does not reach into pkgA
    "pkgA/gen/g.py": ["DRP001"],  # nor does its "gen": the nearest table wins whole
    "pkgA/y.pyw": ["DRP001"],  # pkgA's extend-include; x.pyw at the top is not included
    "pkgB/lit_model.py": ["DRP002"],  # pkgB's include; its ignore drops a_model.py's DRP001
}


def test_nested_excludes_and_includes_hold_from_the_parent_and_alone(tmp_path):
    root = _project(tmp_path)
    code, found, err = _found(root, root, ".")
    assert (code, found) == (1, CHECKED_FROM_THE_TOP), err
    in_a = {k: v for k, v in CHECKED_FROM_THE_TOP.items() if k.startswith("pkgA/")}
    assert _found(root, root, "pkgA")[1] == in_a
    assert _found(root, root / "pkgA", ".")[1] == in_a
    assert _found(root, root / "pkgA" / "legacy", ".")[1] == {"pkgA/legacy/new.py": ["DRP001"]}
    in_b = {"pkgB/lit_model.py": ["DRP002"]}
    assert _found(root, root / "pkgB", ".")[1] == in_b
    assert _found(root, root, "pkgB", "pkgA/legacy")[1] == {
        **in_b,
        "pkgA/legacy/new.py": ["DRP001"],
    }


def test_a_pre_commit_run_gives_each_file_its_own_verdict(tmp_path):
    """pre-commit passes the staged files: whatever else is staged, pkgA's excludes skip
    pkgA/vendored/v.py, the parent's "third_party" skips the nested project named
    alone, and pkgB's ignore holds; a file named explicitly is checked whatever its name."""
    root = _project(tmp_path)
    staged = [
        "top.py",
        "pkgA/m.py",
        "pkgA/vendored/v.py",
        "pkgA/legacy/old.py",
        "pkgA/build/b.py",  # default-excluded folder, named: checked
        "pkgB/a_model.py",
        "pkgB/other.py",  # not included in folders, named: checked
        "third_party/t.py",
    ]
    expected = {
        "top.py": ["DRP001"],
        "pkgA/m.py": ["DRP001"],
        "pkgA/build/b.py": ["DRP001"],
        "pkgB/other.py": ["DRP002"],
    }
    code, found, err = _found(root, root, *staged)
    assert (code, found) == (1, expected), err
    for name in staged:  # each staged alone: the same verdict
        alone = {k: v for k, v in expected.items() if k == name}
        assert _found(root, root, name)[1] == alone, name
    # From inside the nested project, with a path that climbs out of it.
    assert _found(root, root / "pkgA", "vendored/v.py", "../third_party/t.py", "m.py")[1] == {
        "pkgA/m.py": ["DRP001"]
    }


def test_run_level_options_come_from_the_table_of_the_common_folder(tmp_path):
    """pkgB's output-format = "json" is a run-level option: it holds when pkgB is checked
    alone, not in a run whose common folder is above it (one output per run)."""
    root = _project(tmp_path)
    code, out, _ = run("pkgB", "--no-cache", cwd=root)
    assert code == 1 and [row["code"] for row in json.loads(out)] == ["DRP002"]
    code, out, _ = run("pkgB/lit_model.py", "top.py", "--no-cache", cwd=root)
    assert code == 1 and out.splitlines()[0].startswith("pkgB/lit_model.py:7:16: DRP002")


def test_config_flag_uses_one_table_for_every_folder(tmp_path):
    """--config FILE: the nested tables are not read; its patterns apply everywhere."""
    root = _project(tmp_path)
    code, found, err = _found(root, root, ".", "--config", "pyproject.toml")
    assert code == 1, err
    assert "pkgA/vendored/v.py" in found and "pkgB/a_model.py" in found  # nested tables unread
    assert "pkgA/legacy/new.py" not in found and "pkgA/gen/g.py" not in found  # its patterns
    assert "pkgA/y.pyw" not in found


def test_flags_apply_in_every_folder(tmp_path):
    """A flag overrides the option in every table (as ruff): `--extend-exclude m.py`
    replaces pkgA's extend-exclude, so vendored/ is walked again, and skips pkgA/m.py."""
    root = _project(tmp_path)
    found = _found(root, root, "pkgA", "--extend-exclude", "m.py")[1]
    assert "pkgA/m.py" not in found and "pkgA/vendored/v.py" in found


def test_a_broken_nested_table_is_reported_for_its_files_and_the_rest_is_checked(tmp_path):
    root = _project(tmp_path)
    write(root / "pkgC/pyproject.toml", "[tool.flake8-dropout]\nextend-exclude = 3\n")
    write(root / "pkgC/c.py", BAD)
    write(root / "pkgC/sub/d.py", BAD)
    code, found, err = _found(root, root, ".")
    assert code == 2 and found == CHECKED_FROM_THE_TOP
    assert "pkgC/c.py: error: configuration:" in err and "extend-exclude" in err
    assert "pkgC/sub/d.py: error: configuration:" in err
