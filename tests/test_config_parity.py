"""A flake8 configuration and a pyproject configuration give the same findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SOURCE = """\
import torch.nn.functional as F
from torch import nn
from mylib.models import Base
from other import Thing


class Custom(Base):
    def step(self, x):
        return F.dropout(x, 0.1)


class Other(Thing):
    def step(self, x):
        return F.dropout(x, 0.2, training=True)


class Plain(nn.Module):
    def forward(self, x):
        return F.dropout(x, training=self.is_training)
"""


def flake8(cwd):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--select=DRP",
            "--format=%(path)s|%(row)d|%(col)d|%(code)s %(text)s",
        ]
        + ["."],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 1), result.stderr
    rows = []
    for line in result.stdout.splitlines():
        path, row, col, text = line.split("|", 3)
        rows.append((os.path.normpath(path), int(row), int(col), text))
    return sorted(rows)


def cli(cwd):
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    result = subprocess.run(
        [sys.executable, "-m", "flake8_dropout", ".", "--output-format=json", "--no-cache"],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode in (0, 1), result.stderr
    rows = json.loads(result.stdout)
    # flake8 prints the code before the message; JSON keeps it in `code` only.
    return sorted((r["path"], r["line"], r["column"], f"{r['code']} {r['message']}") for r in rows)


@pytest.mark.parametrize(
    ("ini_value", "toml_value"),
    [
        ("mylib.models.Base", '["mylib.models.Base"]'),
        ("\n    mylib.models.Base,\n    other.Thing", '"mylib.models.Base, other.Thing"'),
        ("mylib.models.Base,other.Thing", '["other.Thing", "mylib.models.Base"]'),
        ("", "[]"),
    ],
)
def test_setup_cfg_and_pyproject_agree(tmp_path, ini_value, toml_value):
    flake8_dir = tmp_path / "flake8"
    cli_dir = tmp_path / "cli"
    for folder in (flake8_dir, cli_dir):
        (folder / "pkg").mkdir(parents=True)
        (folder / "pkg" / "models.py").write_text(SOURCE, encoding="utf-8")
    (flake8_dir / "setup.cfg").write_text(
        f"[flake8]\ndropout-module-bases = {ini_value}\n", encoding="utf-8"
    )
    (cli_dir / "pyproject.toml").write_text(
        f"[tool.flake8-dropout]\nmodule-bases = {toml_value}\n", encoding="utf-8"
    )
    from_flake8 = flake8(flake8_dir)
    from_cli = cli(cli_dir)
    assert from_flake8 == from_cli
    assert ("pkg/models.py", 19, 16) in [row[:3] for row in from_cli]
    expected_lines = {19}
    if "mylib.models.Base" in ini_value:
        expected_lines.add(9)
    if "other.Thing" in ini_value:
        expected_lines.add(14)
    assert {row[1] for row in from_cli} == expected_lines
