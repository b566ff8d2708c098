"""The pre-commit hooks, for real: `pre-commit try-repo` on a scratch git repository.

try-repo clones the repository it is given, so it only sees committed files:
the project's working tree (committed or not) is copied into a scratch
repository first and committed there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from flake8_dropout.fix import fix_source
from flake8_dropout.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOK = PROJECT / "tests" / "notebooks" / "model.ipynb"
BAD = (
    "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
    "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
)
FIXER_WORKS = fix_source(BAD, Settings()).source != BAD
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args, cwd):
    env = dict(os.environ, **GIT_ENV)
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def make_repo(path: Path) -> None:
    git("init", "-q", "-b", "main", ".", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "init", cwd=path)


def copy_project(target: Path) -> Path:
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "setup.cfg"):
        if (PROJECT / name).exists():
            shutil.copy2(PROJECT / name, target / name)
    shutil.copytree(
        PROJECT / "flake8_dropout",
        target / "flake8_dropout",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    make_repo(target)
    return target


def try_repo(hook_repo: Path, hook: str, cwd: Path, home: Path):
    env = dict(os.environ, **GIT_ENV, PRE_COMMIT_HOME=str(home))
    env.pop("FLAKE8_DROPOUT_CACHE_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files"],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    return result.returncode, result.stdout + result.stderr


def test_hooks_with_pre_commit_try_repo(tmp_path):
    hook_repo = copy_project(tmp_path / "hook-repo")
    work = tmp_path / "work"
    work.mkdir()
    model = work / "model.py"
    model.write_text(BAD, encoding="utf-8")
    (work / "notes.txt").write_text("not python\n", encoding="utf-8")
    notebook = work / "model.ipynb"  # types_or: [python, jupyter]
    shutil.copy(NOTEBOOK, notebook)
    make_repo(work)
    home = tmp_path / "pre-commit-home"

    code, output = try_repo(hook_repo, "flake8-dropout", work, home)
    assert code == 1, output
    assert "model.py:7:16: DRP001" in output
    assert "model.ipynb:cell 3:8:16: DRP001" in output
    assert "model.ipynb:cell 5:4:16: DRP001" in output
    assert model.read_text(encoding="utf-8") == BAD  # the check hook writes nothing
    assert notebook.read_bytes() == NOTEBOOK.read_bytes()

    code, output = try_repo(hook_repo, "flake8-dropout-fix", work, home)
    assert code == 1, output  # fails the commit: files were modified (or findings remain)
    if FIXER_WORKS:
        assert "files were modified by this hook" in output
        assert model.read_text(encoding="utf-8") == fix_source(BAD, Settings()).source
        assert "return F.dropout" not in notebook.read_text(encoding="utf-8")
        git("add", "-A", cwd=work)  # try-repo runs on what is staged
        code, output = try_repo(hook_repo, "flake8-dropout-fix", work, home)
        assert code == 0, output
        assert "Passed" in output
    else:
        assert model.read_text(encoding="utf-8") == BAD
        assert "model.py:7:16: DRP001" in output
