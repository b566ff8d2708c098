"""Star imports and NFKC names through the real command line, in folder mode (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MODEL = """\
from pkg.all import *


class Head(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.1)
"""


def run(*args: str, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "imports.py").write_text(
        "import torch.nn.functional as F\nfrom torch import nn\n"
    )
    (tmp_path / "pkg" / "all.py").write_text("from .imports import *\n")
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def test_a_project_star_import_is_followed_and_the_cache_depends_on_it(tmp_path):
    root = project(tmp_path)
    first = run("flake8_dropout", ".", cwd=root)
    assert first.returncode == 1
    assert first.stdout.startswith("model.py:6:16: DRP001"), first.stdout + first.stderr
    # F no longer comes from torch: the cached answer must not survive the edit.
    (root / "pkg" / "imports.py").write_text("import mylib.functional as F\nfrom torch import nn\n")
    second = run("flake8_dropout", ".", cwd=root)
    assert second.returncode == 0, second.stdout + second.stderr


def test_the_fix_spells_the_star_bound_nn_and_adds_no_import(tmp_path):
    root = project(tmp_path)
    result = run("flake8_dropout", "--no-cache", "--fix", ".", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    fixed = (root / "model.py").read_text()
    assert "self.dropout = nn.Dropout(p=0.1)" in fixed
    assert fixed.startswith("from pkg.all import *\n\n\nclass Head")  # no new import
    assert run("flake8_dropout", "--no-cache", ".", cwd=root).returncode == 0


def test_flake8_reads_no_other_file(tmp_path):
    root = project(tmp_path)
    result = run("flake8", "--isolated", "--select=DRP", "model.py", cwd=root)
    assert result.returncode == 0 and result.stdout == ""


def test_an_installed_package_is_read_never_run(tmp_path):
    site = tmp_path / "site"
    package = site / "fakefast"
    package.mkdir(parents=True)
    marker = tmp_path / "executed"
    trap = f"open({str(marker)!r}, 'w').close()\nraise SystemExit('imported')\n"
    (package / "__init__.py").write_text(trap)
    (package / "layers.py").write_text(
        trap + "import torch.nn.functional as F\nfrom torch import nn\n"
    )
    (package / "all.py").write_text(trap + "from .layers import *\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "model.py").write_text(MODEL.replace("pkg.all", "fakefast.all"))
    result = run("flake8_dropout", "--no-cache", ".", cwd=work, pythonpath=site)
    assert result.stdout.startswith("model.py:6:16: DRP001"), result.stdout + result.stderr
    assert not marker.exists()


def test_a_name_spelled_in_nfkc_form_only_is_found_in_a_folder(tmp_path):
    (tmp_path / "m.py").write_text(
        "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
        "class M(nn.Module):\n    def forward(self, x):\n        return F.ｄropout(x, 0.1)\n",
        encoding="utf-8",
    )
    assert b"dropout" not in (tmp_path / "m.py").read_bytes()
    result = run("flake8_dropout", "--no-cache", ".", cwd=tmp_path)
    assert result.stdout.startswith("m.py:7:16: DRP001"), result.stdout + result.stderr
    flake8 = run("flake8", "--isolated", "--select=DRP", "m.py", cwd=tmp_path)
    assert flake8.stdout.startswith("m.py:7:16: DRP001")


def test_a_named_file_and_stdin_follow_star_imports_too(tmp_path):
    """pre-commit names the files: they must get what a folder scan gets."""
    root = project(tmp_path)
    named = run("flake8_dropout", "--no-cache", "model.py", cwd=root)
    assert named.stdout.startswith("model.py:6:16: DRP001"), named.stdout + named.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "flake8_dropout", "--no-cache", "--stdin-filename", "model.py", "-"],
        cwd=root,
        input=MODEL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.stdout.startswith("model.py:6:16: DRP001"), piped.stdout + piped.stderr


def test_a_star_import_of_torch_functional_inside_the_project(tmp_path):
    """Followed without reading torch's own source (it may not be installed)."""
    root = project(tmp_path)
    (root / "pkg" / "imports.py").write_text(
        "from torch.nn.functional import *\nfrom torch import nn\n"
    )
    (root / "model.py").write_text(MODEL.replace("F.dropout(x, 0.1)", "dropout(x, 0.1)"))
    result = run("flake8_dropout", "--no-cache", ".", cwd=root, pythonpath=tmp_path / "no-torch")
    assert result.stdout.startswith("model.py:6:16: DRP001"), result.stdout + result.stderr
