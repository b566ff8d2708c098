"""Every fallback explained: the reason a finding is fixed in place, or not fixed,
in `--show-fixes`, the `--fix`/`--diff` summary and the JSON `fix_note` (real CLI runs)."""

from __future__ import annotations

import json

from helpers import run_cli as run

SOURCE = """\
import torch.nn.functional as F
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.p = 0.1

    def forward(self, x, q=0.3):
        x = F.dropout(x, q)
        x = F.dropout(x, self.p)
        return self.helper(x)

    @staticmethod
    def helper(x):
        return F.dropout(x, 0.2)


class L(nn.LSTM):
    def forward(self, x):
        out, _ = super().forward(x)
        return F.dropout(out, 0.2, training=True)
"""


def test_show_fixes_and_the_summary_give_each_reason(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    code, out, err = run("m.py", "--diff", "--show-fixes", "--no-cache", cwd=tmp_path)
    assert code == 1 and out.startswith("--- m.py")
    assert "Would fix m.py:11:13: DRP001 " in err
    assert err.count("(in place: p reads the local `q`)") == 1
    assert "Would fix m.py:12:13: DRP001" in err  # a layer: nothing to explain
    assert "Would fix 2 findings, 1 in place (p reads the local `q`: 1).\n" in err
    code, _, err = run("m.py", "--fix", "--unsafe-fixes", "--no-cache", cwd=tmp_path)
    assert "Fixed 3 findings, 1 in place (p reads the local `q`: 1).\n" in err
    fixed = (tmp_path / "m.py").read_text()
    assert "self.dropout_1 = nn.Dropout(p=0.2)" in fixed  # nn.LSTM owns `dropout`


def test_json_carries_the_note(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    code, out, _ = run("m.py", "--output-format", "json", "--no-cache", cwd=tmp_path)
    assert code == 1
    notes = {row["line"]: (row["fix"], row["fix_note"]) for row in json.loads(out)}
    assert notes == {
        11: ("safe", None),
        12: ("safe", None),
        17: ("none", "not fixed: inside a @staticmethod"),
        23: ("unsafe", None),
    }
    _, _, err = run("m.py", "--diff", "--output-format", "json", "--no-cache", "-q", cwd=tmp_path)
    left = {row["line"]: row["fix_note"] for row in json.loads(err)}
    assert left == {
        17: "not fixed: inside a @staticmethod",
        23: "an unsafe fix: needs --unsafe-fixes",
    }
