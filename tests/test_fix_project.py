"""The command line's fixer sees base classes defined in other files of the project.

Each case is a small package written to a temporary folder. Only the subclass's
file is passed to `python -m flake8_dropout --fix` (as pre-commit does); the
base is found through the package's imports. The fixed package is imported
next to the original and proven with real torch: the checkpoint loads
strictly with the same keys, train mode computes what the original did under
one seed, eval mode applies no dropout.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import run_cli

torch = pytest.importorskip("torch")

from flake8_dropout.project import ProjectClasses
from flake8_dropout.settings import Settings

BASE = """\
import torch
from torch import nn


class Base(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.dropout = 0.2  # a float: the layer must not take this name
        self.lin = nn.Linear(width, width)

    def project(self, x):
        return self.lin(x) * (1 - self.dropout)
"""

MODEL = """\
import torch.nn.functional as F

from {import_line}


class Model(Base):
    def __init__(self, width):
        super().__init__(width)
        self.rate = 0.3

    def forward(self, x):
        return F.dropout(self.project(x), self.rate)
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _load(root: Path, package: str, module: str):
    sys.path.insert(0, str(root))
    try:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(root))


def _prove(original, fixed, width: int = 8) -> None:
    torch.manual_seed(0)
    before = original.Model(width)
    torch.manual_seed(0)
    after = fixed.Model(width)
    after.load_state_dict(before.state_dict(), strict=True)
    assert list(after.state_dict()) == list(before.state_dict())
    x = torch.randn(4, width)
    before.train()
    after.train()
    for seed in (1, 2):
        torch.manual_seed(seed)
        expected = before(x)
        torch.manual_seed(seed)
        assert torch.equal(after(x), expected)
    after.eval()
    with torch.no_grad():
        torch.manual_seed(1)
        first = after(x)
        torch.manual_seed(2)
        assert torch.equal(after(x), first)
        assert torch.equal(first, after.project(x))


CASES = {
    "relative-import": (
        {"pkg/__init__.py": "", "pkg/base.py": BASE, "pkg/model.py": MODEL},
        "pkg/model.py",
        ".base import Base",
    ),
    "absolute-import-through-package-init": (
        {
            "pkg/__init__.py": "from .nets.base import Base\n",
            "pkg/nets/__init__.py": "",
            "pkg/nets/base.py": BASE,
            "pkg/models/__init__.py": "",
            "pkg/models/model.py": MODEL,
        },
        "pkg/models/model.py",
        "pkg import Base",
    ),
    "parent-package-import": (
        {
            "pkg/__init__.py": "",
            "pkg/nets/__init__.py": "from .base import Base\n",
            "pkg/nets/base.py": BASE,
            "pkg/nets/models/__init__.py": "",
            "pkg/nets/models/model.py": MODEL,
        },
        "pkg/nets/models/model.py",
        ".. import Base",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_through_a_base_in_another_file(tmp_path: Path, case: str) -> None:
    files, target, import_line = CASES[case]
    files = {**files, target: files[target].format(import_line=import_line)}
    _write(tmp_path / "before", files)
    _write(tmp_path / "after", files)
    status, _, err = run_cli("--fix", "--no-cache", target, cwd=tmp_path / "after")
    assert status == 0, err
    fixed = (tmp_path / "after" / target).read_text()
    assert "self.dropout_layer = nn.Dropout(p=self.rate)" in fixed  # not the base's `dropout`
    assert "return self.dropout_layer(self.project(x))" in fixed
    module = target[:-3].replace("/", ".")
    original = _load(tmp_path / "before", "pkg", module)
    after = _load(tmp_path / "after", "pkg", module)
    _prove(original, after)


@pytest.mark.parametrize(
    ("base", "reason"),
    [
        (BASE + "\n    def set_rate(self, rate):\n        self.rate = rate\n", "reassigns p"),
        (
            BASE.replace("(nn.Module)", "(nn.Module, Mixin)").replace(
                "from torch import nn\n", "from torch import nn\nfrom somelib import Mixin\n"
            ),
            "an unseen base",
        ),
        (BASE.replace("(nn.Module)", "(nn.Sequential)"), "a container"),
        (
            (
                "import dataclasses\nfrom torch import nn\n\n\n@dataclasses.dataclass\n"
                "class Base(nn.Module):\n    width: int = 8\n"
            ),
            "decorated",
        ),
    ],
)
def test_in_place_when_the_chain_does_not_allow_a_layer(
    tmp_path: Path, base: str, reason: str
) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": base,
        "pkg/model.py": MODEL.format(import_line=".base import Base"),
    }
    _write(tmp_path, files)
    status, _, err = run_cli("--fix", "--no-cache", "pkg/model.py", cwd=tmp_path)
    assert status == 0, err
    fixed = (tmp_path / "pkg" / "model.py").read_text()
    assert "F.dropout(self.project(x), self.rate, training=self.training)" in fixed, reason
    assert "nn.Dropout" not in fixed


def test_flake8_and_the_cli_report_the_same(tmp_path: Path) -> None:
    """Findings do not depend on the other file: flake8 sees one file, the CLI the project."""
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": BASE,
        "pkg/model.py": MODEL.format(import_line=".base import Base"),
    }
    _write(tmp_path, files)
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "DRP", "pkg/model.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    _, out, _ = run_cli("--no-cache", "pkg/model.py", cwd=tmp_path)
    assert flake8.stdout.splitlines() == out.splitlines()
    assert "DRP001" in out


def test_only_the_files_on_the_chain_are_read(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": BASE,
        "pkg/broken.py": "def (:\n",
        "pkg/model.py": MODEL.format(import_line=".base import Base"),
    }
    _write(tmp_path, files)
    project = ProjectClasses(str(tmp_path / "pkg" / "model.py"), Settings())
    found = project.lookup(".base.Base")
    assert found is not None and found.complete
    assert {"dropout", "lin", "project"} <= found.names
    assert project.lookup(".broken.Thing") is None
    assert project.lookup(".missing.Thing") is None


def test_a_check_reads_only_the_kind_of_a_project_base(tmp_path: Path) -> None:
    # The judge needs a base's kind; walking its methods (names, __init__ calls) is the
    # fixer's, and costs most for the largest bases (transformers' PreTrainedModel).
    from dataclasses import replace

    from flake8_dropout.engine import check

    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": BASE,
            "pkg/model.py": MODEL.format(import_line=".base import Base"),
        },
    )
    path = tmp_path / "pkg" / "model.py"
    project = ProjectClasses(str(path), Settings())
    findings = check(path.read_text(), replace(Settings(), project=project))
    assert [f.code.value for f in findings] == ["DRP001"]  # Model is a module through Base
    found = project.lookup(".base.Base")
    assert found is not None and "_chain" not in vars(found)  # no method walked
    assert found.complete and {"dropout", "lin", "project"} <= found.names  # on demand
    assert "_chain" in vars(found)


ENCODER_BASE = """\
from torch import nn


class Encoder(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.lin = nn.Linear(width, width)

    def forward(self, x):
        return self.encode(self.lin(x))

    def encode(self, x):
        return x
"""

NO_FORWARD = """\
import torch.nn.functional as F

from .base import Encoder


class Model(Encoder):  # no forward: a module class only through the other file
    def encode(self, x):
        return F.dropout(x, 0.3)

    def project(self, x):
        return self.lin(x)
"""


def test_module_class_through_the_other_file(tmp_path: Path) -> None:
    """The CLI reports and fixes what flake8, seeing one file, cannot know is a module."""
    files = {"pkg/__init__.py": "", "pkg/base.py": ENCODER_BASE, "pkg/model.py": NO_FORWARD}
    _write(tmp_path / "before", files)
    _write(tmp_path / "after", files)
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "DRP", "pkg/model.py"],
        cwd=tmp_path / "before",
        capture_output=True,
        text=True,
        check=False,
    )
    assert flake8.stdout == ""
    status, out, _ = run_cli("--no-cache", "pkg/model.py", cwd=tmp_path / "before")
    assert status == 1 and "pkg/model.py:8:16: DRP001" in out
    status, _, err = run_cli("--fix", "--no-cache", "pkg/model.py", cwd=tmp_path / "after")
    assert status == 0, err
    fixed = (tmp_path / "after" / "pkg" / "model.py").read_text()
    assert "return self.dropout(x)" in fixed
    original = _load(tmp_path / "before", "pkg", "pkg.model")
    after = _load(tmp_path / "after", "pkg", "pkg.model")
    _prove(original, after)


def test_cached_findings_follow_the_other_file(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": "", "pkg/base.py": ENCODER_BASE, "pkg/model.py": NO_FORWARD}
    _write(tmp_path, files)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    status, out, _ = run_cli(*cache, "pkg/model.py", cwd=tmp_path)
    assert status == 1 and "DRP001" in out
    status, out, _ = run_cli(*cache, "pkg/model.py", cwd=tmp_path)  # from the cache
    assert status == 1 and "DRP001" in out
    base = tmp_path / "pkg" / "base.py"
    base.write_text(ENCODER_BASE.replace("(nn.Module)", "").replace("super().__init__()", "pass"))
    status, out, _ = run_cli(*cache, "pkg/model.py", cwd=tmp_path)
    assert status == 0 and out == ""  # no longer a module class: the cache saw base.py change


CHAIN = {
    "pkg/__init__.py": "",
    "pkg/root.py": ENCODER_BASE,
    "pkg/middle.py": "from .root import Encoder\n\n\nclass Middle(Encoder):\n    pass\n",
    "pkg/a.py": "from .middle import Middle\n",
    "pkg/b.py": "from .middle import Middle\n",
}


def test_facts_kept_per_process_follow_every_file_of_the_chain(tmp_path: Path) -> None:
    """A second file's lookup, answered from the process's facts, still lists every file
    of the chain (its cache entry depends on them) and sees a change of the grandparent."""
    _write(tmp_path, CHAIN)
    first = ProjectClasses(str(tmp_path / "pkg" / "a.py"), Settings())
    found = first.lookup(".middle.Middle")
    assert found is not None and found.complete and "encode" in found.names
    second = ProjectClasses(str(tmp_path / "pkg" / "b.py"), Settings())
    assert second.lookup(".middle.Middle") == found
    chain = {str(tmp_path / "pkg" / "middle.py"), str(tmp_path / "pkg" / "root.py")}
    assert set(second.read) == set(first.read) == chain
    root = tmp_path / "pkg" / "root.py"
    root.write_text(ENCODER_BASE.replace("def encode", "def encode_more"))  # a new size
    third = ProjectClasses(str(tmp_path / "pkg" / "b.py"), Settings())
    changed = third.lookup(".middle.Middle")
    assert changed is not None and "encode_more" in changed.names
