"""Fuzzing the command line and the flake8 plugin with hypothesis, on a fixed, small budget.

Sources are built from fragments that have broken things before (long boolean
chains, form feeds, tabs, CR line ends, odd codecs, NULs, bare bytes), around
real dropout calls. The properties: the plugin never raises; the command line
never prints a traceback or an internal error, exits 0, 1 or 2, and `--fix`
never writes a file it reported as an error, and leaves every file it wrote
parseable. `derandomize` keeps CI runs the same.
"""

from __future__ import annotations

import ast
import shutil
import warnings

from helpers import run_cli as run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_dropout.plugin import DropoutChecker

HEADER = "import torch.nn.functional as F\nfrom torch import nn\n"
CALLS = st.sampled_from(
    [
        "F.dropout(x)",
        "F.dropout(x, 0.1)",
        "F.dropout(x, p=self.p, training=True)",
        "F.alpha_dropout(x, training=not self.training)",
        "F.dropout(x, training=self.training)",
        "torch.dropout(x, 0.2, True)",
        "F.dropout2d(x, self.p, inplace=True)",
        "F.dropout(*args)",
    ]
)
NOISE = st.sampled_from(
    [
        "",
        "\f",
        "\t",
        " \t",
        "# noqa",
        "  # coding: latin-1",
        "\\\n",
        "'\\d'",
        "\x00",
        "é",
        "ｓelf",
        " and ".join(f"a{i}" for i in range(50)),
        "(" * 30 + "1" + ")" * 30,
    ]
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def sources(draw) -> bytes:
    lines = [HEADER.rstrip("\n"), "", "class M(nn.Module):"]
    if draw(st.booleans()):
        lines += ["    def __init__(self, p):", "        super().__init__()", "        self.p = p"]
    lines.append("    def forward(self, x):")
    for _ in range(draw(st.integers(1, 4))):
        noise = draw(NOISE)
        call = draw(CALLS)
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(f"        x = {call}  {noise}".rstrip())
        elif kind == 1:
            lines.append(f"        if self.training:\n            x = {call}")
        elif kind == 2:
            lines.append(f"{noise}        y = {noise or 'x'}")
        elif kind == 3:
            lines.append(f"        x = {call} if {noise or 'x'} else x")
        else:
            lines.append(f"        {noise}")
    lines.append("        return x")
    text = draw(ENDINGS).join(lines) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    if encoding == "latin-1":
        text = "# -*- coding: latin-1 -*-\n" + text
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=8))
    return data


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(sources())
def test_plugin_never_raises(data: bytes):
    text = data.decode("utf-8", "replace")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the generated code's own `'\d'`
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return  # flake8 reports E999 and never calls plugins
    lines = text.splitlines(keepends=True)
    for row, column, message, kind in DropoutChecker(tree, lines).run():
        assert row >= 1 and column >= 0 and message.startswith("DRP00") and kind is DropoutChecker


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(sources(), min_size=6, max_size=10))
def test_cli_check_and_fix_stay_well_behaved(tmp_path_factory, files: list[bytes]):
    folder = tmp_path_factory.mktemp("fuzz")
    for index, data in enumerate(files):
        (folder / f"m{index}.py").write_bytes(data)
    code, _out, err = run("--no-cache", ".", cwd=folder)
    assert code in (0, 1, 2) and "internal error" not in err, err
    errors = {line.split(": error: ")[0] for line in err.splitlines() if ": error: " in line}
    assert (code == 2) == bool(errors), err
    code, _out, err = run("--no-cache", "--fix", "--unsafe-fixes", ".", cwd=folder)
    assert code in (0, 1, 2) and "internal error" not in err, err
    fix_errors = {line.split(": error: ")[0] for line in err.splitlines() if ": error: " in line}
    for index, data in enumerate(files):
        name = f"m{index}.py"
        now = (folder / name).read_bytes()
        if name in fix_errors or name in errors:
            assert now == data, name
        elif now != data:
            compile(now, name, "exec")  # what was written parses
    shutil.rmtree(folder)
