"""The safety rules of the fix hold through a base class in another file of the project.

The command line follows a base imported from the same project (project.py);
such a base counts as seen in full only when its chain shows none of the
hazards a same-file base is checked for: iterating children, attribute hooks,
attribute names made at run time, a `module-bases` entry or an unknown class
above it, a rate written through an alias, an `__init__` that calls a method
the subclass overrides. Torch bases on the chain bring their table's names.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import run_cli

BASE = """\
from torch import nn


class Base(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.lin = nn.Linear(width, width)

    def project(self, x):
        return self.lin(x)
"""

MODEL = """\
import torch.nn.functional as F

from .base import Base


class Model(Base):
    def __init__(self, width):
        super().__init__(width)
        self.rate = 0.3

    def forward(self, x):
        return F.dropout(self.project(x), self.rate)
"""

METHOD = "\n    def {name}(self{args}):\n{body}"


def _with_method(base: str, name: str, body: str, args: str = "") -> str:
    return base + METHOD.format(name=name, args=args, body=textwrap.indent(body, " " * 8))


def _fix(tmp_path: Path, base: str, model: str = MODEL) -> str:
    for name, text in {"pkg/__init__.py": "", "pkg/base.py": base, "pkg/model.py": model}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    status, _, err = run_cli("--fix", "--no-cache", "pkg/model.py", cwd=tmp_path)
    assert status == 0, err
    return (tmp_path / "pkg" / "model.py").read_text()


def test_a_plain_base_in_another_file_allows_a_layer(tmp_path: Path) -> None:
    fixed = _fix(tmp_path, BASE)
    assert "self.dropout = nn.Dropout(p=self.rate)" in fixed


@pytest.mark.parametrize(
    ("base", "why"),
    [
        (_with_method(BASE, "count", "return len(list(self.children()))\n"), "children"),
        (_with_method(BASE, "__getattr__", "return super().__getattr__(name)\n", ", name"), "hook"),
        (_with_method(BASE, "attach", "setattr(self, name, nn.Identity())\n", ", name"), "setattr"),
        (_with_method(BASE, "anneal", "me = self\nme.rate = me.rate * 0.5\n"), "alias"),
        (
            BASE.replace(
                "from torch import nn\n", "from torch import nn\nimport pytorch_lightning as pl\n"
            ).replace("(nn.Module)", "(pl.LightningModule)"),
            "a module-bases entry",
        ),
    ],
)
def test_hazards_of_a_base_in_another_file_keep_the_call_in_place(
    tmp_path: Path, base: str, why: str
) -> None:
    fixed = _fix(tmp_path, base)
    assert "F.dropout(self.project(x), self.rate, training=self.training)" in fixed, why


def test_a_base_init_calling_an_override_keeps_it_in_place(tmp_path: Path) -> None:
    base = BASE.replace(
        "self.lin = nn.Linear(width, width)\n",
        "self.lin = nn.Linear(width, width)\n        self.out = self.project(torch.zeros(1, width))\n",
    ).replace("from torch import nn\n", "import torch\nfrom torch import nn\n")
    model = (
        "import torch.nn.functional as F\n\nfrom .base import Base\n\n\n"
        "class Model(Base):\n"
        "    def project(self, x):\n"
        "        return F.dropout(self.lin(x), 0.3)\n\n"
        "    def forward(self, x):\n"
        "        return self.project(x)\n"
    )
    fixed = _fix(tmp_path, base, model)
    assert "F.dropout(self.lin(x), 0.3, training=self.training)" in fixed


def test_a_torch_base_above_brings_its_names(tmp_path: Path) -> None:
    base = (
        "from torch import nn\n\n\n"
        "class Base(nn.LSTM):\n"
        "    def project(self, x):\n"
        "        return self(x)[0]\n"
    )
    model = MODEL.replace("super().__init__(width)", "super().__init__(width, width)")
    fixed = _fix(tmp_path, base, model)
    assert "nn.Dropout(p=self.rate)" in fixed
    assert "self.dropout = " not in fixed  # nn.LSTM keeps a float `dropout`
