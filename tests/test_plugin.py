"""The flake8 adapter, through real flake8 runs: noqa, selection, options, config files, errors."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst
import pytest

from flake8_dropout.plugin import DropoutChecker

FORMAT = "%(row)d|%(col)d|%(code)s"

MODEL = textwrap.dedent(
    """\
    import torch.nn.functional as F
    from torch import nn


    class Block(nn.Module):
        def forward(self, x):
            return F.dropout(x, 0.1)
    """
)

# A base class from the user's own package and no forward(): not a module class
# unless `--dropout-module-bases` names the base.
PROJECT_BASE = textwrap.dedent(
    """\
    import lightning as L
    import torch.nn.functional as F
    from mylib.layers import Layer


    class Block(Layer):
        def helper(self, x):
            return F.dropout(x, 0.1)


    class Lit(L.LightningModule):
        def training_step(self, batch, batch_idx):
            return F.dropout(batch, 0.1)
    """
)
BLOCK_LINE, LIT_LINE = 8, 13

# flake8 (ast) parses this; libcst rejects it: a backslash continuation as the first
# line of an indented block (libcst: "Syntax Error @ 8:1"). Python runs it fine, and
# the engine checks it as Python reads it (the lone `\` line is blanked for libcst).
LIBCST_REJECTS = textwrap.dedent(
    """\
    import torch.nn.functional as F
    from torch import nn


    class Block(nn.Module):
        def forward(self, x):
            \\
            return F.dropout(x)
    """
)


def flake8(
    cwd: Path,
    *args: str,
    stdin: str | None = None,
    check_output: bool = True,
    timeout: float | None = None,
) -> tuple[int, list[tuple[int, int, str]], str]:
    """Run real flake8 in `cwd`; returns (exit code, [(row, col, code)], stderr)."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8", f"--format={FORMAT}", *args],
        check=False,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr, result.stderr
    rows = []
    for line in result.stdout.splitlines():
        row, col, code = line.split("|")
        rows.append((int(row), int(col), code))
    return result.returncode, rows, result.stderr


def drp(rows: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    return [(row, code) for row, _, code in rows if code.startswith("DRP")]


# -- noqa ----------------------------------------------------------------------


NOQA_VARIANTS = [
    # (comment after the call, still reported?)
    ("", True),
    ("  # noqa", False),
    ("  # NOQA", False),
    ("  # noqa: DRP001", False),
    ("  # noqa:DRP001", False),
    ("  # noqa: E501,DRP001", False),
    ("  # noqa: DRP002", True),  # another code of ours
    ("  # noqa: DRP003", True),
    ("  # noqa:E501", True),  # another tool's code
]


def test_noqa(tmp_path: Path):
    methods = "".join(
        f"\n    def variant_{i}(self, x):\n        return F.dropout(x, 0.1){comment}\n"
        for i, (comment, _) in enumerate(NOQA_VARIANTS)
    )
    source = MODEL + methods
    (tmp_path / "model.py").write_text(source)
    first = len(MODEL.splitlines())  # variant i returns on line first + 3 * i + 3
    expected = [
        (first + 3 * i + 3, "DRP001") for i, (_, reported) in enumerate(NOQA_VARIANTS) if reported
    ]
    code, rows, _ = flake8(tmp_path, "--select=DRP", "model.py")
    assert (code, drp(rows)) == (1, [(7, "DRP001"), *expected])
    # Only noqa-covered lines: flake8 exits 0.
    silenced = MODEL.replace("F.dropout(x, 0.1)", "F.dropout(x, 0.1)  # noqa: DRP001")
    (tmp_path / "model.py").write_text(silenced)
    assert flake8(tmp_path, "--select=DRP", "model.py")[:2] == (0, [])


def test_noqa_keeps_a_deliberate_literal_true(tmp_path: Path):
    source = MODEL.replace("F.dropout(x, 0.1)", "F.dropout(x, 0.1, training=True)  # noqa: DRP002")
    source += "\n    def other(self, x):\n        return F.dropout(x, 0.1, training=True)\n"
    (tmp_path / "model.py").write_text(source)
    _, rows, _ = flake8(tmp_path, "--select=DRP", "model.py")
    assert drp(rows) == [(10, "DRP002")]


# -- selection -------------------------------------------------------------------


def test_reported_with_flake8_defaults_and_extend_select(tmp_path: Path):
    (tmp_path / "model.py").write_text(MODEL)
    _, rows, _ = flake8(tmp_path, "model.py")
    assert drp(rows) == [(7, "DRP001")]
    _, rows, _ = flake8(tmp_path, "--extend-select=DRP", "model.py")
    assert drp(rows) == [(7, "DRP001")]
    _, rows, _ = flake8(tmp_path, "--select=E,W", "model.py")
    assert drp(rows) == []
    _, rows, _ = flake8(tmp_path, "--select=E,W", "--extend-select=DRP", "model.py")
    assert drp(rows) == [(7, "DRP001")]
    _, rows, _ = flake8(tmp_path, "--extend-ignore=DRP001", "model.py")
    assert drp(rows) == []


# -- stdin -----------------------------------------------------------------------


def test_stdin_lints_the_buffer_not_the_file_on_disk(tmp_path: Path):
    """Editors pipe the unsaved buffer: the plugin must read what flake8 hands over."""
    (tmp_path / "model.py").write_text(MODEL.replace("F.dropout(x, 0.1)", "x"))
    buffer = MODEL.replace("F.dropout(x, 0.1)", "x\n        # edited\n        F.dropout(x)")
    code, rows, _ = flake8(
        tmp_path, "--select=DRP", "--stdin-display-name=model.py", "-", stdin=buffer
    )
    assert (code, rows) == (1, [(9, 9, "DRP001")])
    code, rows, _ = flake8(tmp_path, "--select=DRP", "model.py")
    assert (code, rows) == (0, [])


# -- --dropout-module-bases --------------------------------------------------------


def test_module_bases_default_and_command_line(tmp_path: Path):
    (tmp_path / "model.py").write_text(PROJECT_BASE)
    _, rows, _ = flake8(tmp_path, "--select=DRP", "model.py")
    assert drp(rows) == [(LIT_LINE, "DRP001")]  # Lightning is a default base
    _, rows, _ = flake8(
        tmp_path, "--select=DRP", "--dropout-module-bases=mylib.layers.Layer", "model.py"
    )
    assert drp(rows) == [(BLOCK_LINE, "DRP001"), (LIT_LINE, "DRP001")]  # extends the defaults
    _, rows, _ = flake8(
        tmp_path,
        "--select=DRP",
        "--dropout-module-bases=other.Base, mylib.layers.Layer",
        "-",
        "--stdin-display-name=model.py",
        stdin=PROJECT_BASE,
    )
    assert drp(rows) == [(BLOCK_LINE, "DRP001"), (LIT_LINE, "DRP001")]


@pytest.mark.parametrize(
    ("config_file", "text"),
    [
        ("setup.cfg", "[flake8]\ndropout-module-bases = mylib.layers.Layer\n"),
        ("tox.ini", "[flake8]\ndropout_module_bases = other.Base, mylib.layers.Layer\n"),
        (".flake8", "[flake8]\ndropout-module-bases =\n    other.Base\n    mylib.layers.Layer\n"),
    ],
)
def test_module_bases_from_config_files(tmp_path: Path, config_file: str, text: str):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text(PROJECT_BASE)
    (tmp_path / config_file).write_text(text)
    _, rows, _ = flake8(tmp_path, "--select=DRP", "pkg/model.py")
    assert drp(rows) == [(BLOCK_LINE, "DRP001"), (LIT_LINE, "DRP001")]
    _, rows, _ = flake8(tmp_path, "--select=DRP", "--isolated", "pkg/model.py")
    assert drp(rows) == [(LIT_LINE, "DRP001")]  # the config file is what made the difference


# -- never crash -------------------------------------------------------------------


def test_the_example_is_python_but_not_libcst():
    compile(LIBCST_REJECTS, "<case>", "exec")
    with pytest.raises(libcst.ParserSyntaxError):
        libcst.parse_module(LIBCST_REJECTS)


def test_file_libcst_rejects_is_checked_as_python_reads_it(tmp_path: Path):
    (tmp_path / "model.py").write_text(LIBCST_REJECTS)
    code, rows, stderr = flake8(tmp_path, "--select=DRP", "model.py")
    assert (code, rows, stderr) == (1, [(8, 16, "DRP001")], "")
    code, rows, stderr = flake8(
        tmp_path, "--select=DRP", "--stdin-display-name=model.py", "-", stdin=LIBCST_REJECTS
    )
    assert (code, rows, stderr) == (1, [(8, 16, "DRP001")], "")


DEEP = (
    MODEL
    + "\n\nclass Deep(nn.Module):\n    def forward(self, x):\n        y = {}\n".format(
        " and ".join(f"a{i}" for i in range(10_000))
    )
    + "        return F.dropout(x)\n"
)


def lines_of(source: str) -> list[str]:
    return source.splitlines(keepends=True)


@pytest.mark.parametrize(
    ("tree_source", "lines"),
    [
        (MODEL, "class M(nn.Module:\n    F.dropout(x)\n"),  # lines that do not parse at all
        (MODEL, "\x00dropout torch"),
    ],
)
def test_run_never_raises(tree_source: str, lines: str):
    checker = DropoutChecker(ast.parse(tree_source), lines_of(lines))
    assert list(checker.run()) == []


def test_run_never_raises_when_the_lines_are_not_the_trees():
    # flake8 never does this; the judge reads the tree, the message the lines.
    lines = MODEL.replace("return", "return (") + "dropout torch"
    rows = list(DropoutChecker(ast.parse(MODEL), lines_of(lines)).run())
    assert [(row, col, kind) for row, col, _, kind in rows] == [(7, 15, DropoutChecker)]


def test_run_checks_a_file_too_deep_for_libcst():
    # libcst is never loaded by the check: an `and` chain that would crash its parser
    # is one `ast` node.
    rows = list(DropoutChecker(ast.parse(DEEP), lines_of(DEEP)).run())
    assert [(row, col) for row, col, _, _ in rows] == [(7, 15), (len(DEEP.splitlines()), 15)]


def test_run_reports_flake8_tuples():
    checker = DropoutChecker(ast.parse(MODEL), lines_of(MODEL))
    ((row, col, text, kind),) = list(checker.run())
    assert (row, col, kind) == (7, 15, DropoutChecker)
    assert text.startswith("DRP001 F.dropout() without training=")


def deep_model(terms: int = 10_000) -> str:
    """A module class whose `and` chain would crash libcst's native parser (SIGSEGV)."""
    chain = " and ".join(f"a{i}" for i in range(terms))
    body = f"        y = {chain}\n        return F.dropout(x)\n"
    return MODEL + f"\n\nclass Deep(nn.Module):\n    def forward(self, x):\n{body}"


def test_too_deep_for_libcst_is_checked_and_never_hangs(tmp_path: Path):
    deep = deep_model()
    (tmp_path / "deep.py").write_text(deep)
    (tmp_path / "model.py").write_text(MODEL)
    last = len(deep.splitlines())
    code, rows, stderr = flake8(tmp_path, "--select=DRP", "deep.py")
    assert (code, rows, stderr) == (1, [(7, 16, "DRP001"), (last, 16, "DRP001")], "")
    # Default jobs: a dead worker used to hang `flake8 .` forever.
    code, rows, _ = flake8(tmp_path, "--select=DRP", ".", timeout=120)
    assert (code, sorted(rows)) == (1, sorted([(7, 16, "DRP001")] * 2 + [(last, 16, "DRP001")]))
