"""A physical line ending in a backslash + CR (issue 13): the CLI agrees with flake8, no crash."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BASE = "import torch.nn.functional as F\nfrom torch import nn\n"
CLASS = "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
VARIANTS = {
    "continued_expression": BASE + "x = 1 + \\\r2\n" + CLASS,
    "lone_backslash_line": BASE + "\\\r" + CLASS,
    "inside_brackets": BASE + "x = [1,\\\r2]\n" + CLASS,
    "cr_only_file": (BASE + "x = 1 + \\\r2\n" + CLASS).replace("\n", "\r"),
    "backslash_crlf": BASE + "y = 3 \\\r\n+ 4\n" + CLASS,
    "comment_ending_in_backslash": BASE + "#\\\r" + CLASS,
    "compound_header": BASE + "if True:\\\r    pass\n" + CLASS,
}
FORMAT = "%(row)d:%(col)d:%(code)s"


def run(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_cli_reports_what_flake8_reports_and_fixes_without_error(tmp_path, name):
    path = tmp_path / "m.py"
    path.write_bytes(VARIANTS[name].encode())
    flake8 = run("flake8", "--isolated", "--select=DRP", f"--format={FORMAT}", "m.py", cwd=tmp_path)
    ours = run("flake8_dropout", "--no-cache", "--output-format=json", "m.py", cwd=tmp_path)
    assert "internal error" not in ours.stderr and "Traceback" not in ours.stderr, ours.stderr
    found = {f"{r['line']}:{r['column']}:{r['code']}" for r in json.loads(ours.stdout)}
    assert found == set(flake8.stdout.split()) and found, (found, flake8.stdout)
    fixed = run("flake8_dropout", "--no-cache", "--fix", "m.py", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    compile(path.read_bytes(), "m.py", "exec")
    again = run("flake8", "--isolated", "--select=DRP", "m.py", cwd=tmp_path)
    assert again.stdout == ""
