"""The fix, proven with real torch (SPEC section 3).

Each case is a small module file. The original and the fixed source are written
to files, imported with importlib, built, and compared:

- the fixed source compiles, re-lints without the fixed findings, and a second
  fix changes nothing;
- `fixed.load_state_dict(original.state_dict(), strict=True)` works and the keys
  are the same, so checkpoints still load;
- in train mode, under the same seed, the fixed module computes exactly what the
  original did (the alpha variants and unsafe `training=False` are the deliberate
  changes: the original never drops there, the fixed module does);
- in eval mode the fixed module gives the same output for two seeds, and that
  output is the computation with no dropout at all;
- `repr(model)` shows the new layers.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Callable

import pytest

torch = pytest.importorskip("torch")

from flake8_dropout.engine import check
from flake8_dropout.fix import fix_source
from flake8_dropout.settings import Settings

SETTINGS = Settings()
SEEDS = (1, 2, 3)
_counter = itertools.count()

HEADER = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"


@dataclass
class Case:
    id: str
    source: str  # the module file, without HEADER
    shape: tuple[int, ...]  # input shape
    plain: Callable  # (model, x) -> output with no dropout anywhere
    reprs: tuple[str, ...] = ()  # text print(fixed) must show
    args: tuple = ()  # constructor arguments
    kwargs: dict = field(default_factory=dict)
    cls: str = "M"
    unsafe: bool = False
    style: str = "layer"
    codes: tuple[str, ...] = ("DRP001",)  # codes the fix rewrites
    # "equal": train-mode output is the original's; "deliberate": the original never
    # drops in train mode (alpha variants, training=False) and the fixed one does
    train: str = "equal"
    in_place: bool = False  # fixed as training=self.training, no layer
    header: str = HEADER

    @property
    def text(self) -> str:
        return self.header + textwrap.dedent(self.source)


def lin(model, x):
    return model.lin(x)


CASES = [
    Case(
        "p-positional",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
    ),
    Case(
        "p-keyword",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), p=0.25)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.25, inplace=False)",),
    ),
    Case(
        "p-from-self-attribute",
        """
        class M(nn.Module):
            def __init__(self, p):
                super().__init__()
                self.lin = nn.Linear(16, 16)
                self.p = p

            def forward(self, x):
                return F.dropout(self.lin(x), self.p)
        """,
        (8, 16),
        lin,
        ("Dropout(p=0.4, inplace=False)",),
        args=(0.4,),
    ),
    Case(
        "p-from-config-attribute",
        """
        class Config:
            hidden_dropout = 0.2
            width = 16


        class M(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.config = config
                self.lin = nn.Linear(config.width, config.width)

            def forward(self, x):
                return F.dropout(self.lin(x), p=self.config.hidden_dropout)
        """,
        (8, 16),
        lin,
        ("Dropout(p=0.2, inplace=False)",),
        args=("Config()",),
    ),
    Case(
        "p-missing",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x))
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.5, inplace=False)",),
    ),
    Case(
        "p-module-constant",
        """
        DROP = 0.35


        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), DROP)
        """,
        (8, 16),
        lin,
        ("Dropout(p=0.35, inplace=False)",),
    ),
    Case(
        "dropout1d",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout1d(self.lin(x), 0.5)
        """,
        (4, 8, 16),
        lin,
        ("(dropout1d): Dropout1d(p=0.5, inplace=False)",),
    ),
    Case(
        "dropout2d",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(6, 6)

            def forward(self, x):
                return F.dropout2d(self.lin(x), p=0.5)
        """,
        (4, 8, 5, 6),
        lin,
        ("(dropout2d): Dropout2d(p=0.5, inplace=False)",),
    ),
    Case(
        "dropout3d",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(4, 4)

            def forward(self, x):
                return F.dropout3d(self.lin(x), 0.5)
        """,
        (2, 8, 3, 3, 4),
        lin,
        ("(dropout3d): Dropout3d(p=0.5, inplace=False)",),
    ),
    Case(
        "inplace-keyword",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3, inplace=True)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=True)",),
    ),
    Case(
        "inplace-positional-after-training-keyword",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                y = self.lin(x)
                return F.dropout2d(y.unsqueeze(-1), 0.5, inplace=True).squeeze(-1)
        """,
        (4, 8, 16),
        lin,
        ("(dropout2d): Dropout2d(p=0.5, inplace=True)",),
    ),
    Case(
        "shared-and-distinct-layers",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)
                self.out = nn.Linear(16, 16)

            def forward(self, x):
                x = F.dropout(x, 0.1)
                x = F.dropout(self.lin(x), 0.1)
                x = F.dropout(x, p=0.3)
                return self.out(F.dropout(x, 0.1, inplace=True))
        """,
        (8, 16),
        lambda m, x: m.out(m.lin(x)),
        (
            "(dropout): Dropout(p=0.1, inplace=False)",
            "(dropout_1): Dropout(p=0.3, inplace=False)",
            "(dropout_2): Dropout(p=0.1, inplace=True)",
        ),
    ),
    Case(
        "no-init-generated",
        """
        class M(nn.Linear):
            def forward(self, x):
                return F.dropout(super().forward(x), 0.3)
        """,
        (8, 16),
        lambda m, x: torch.nn.functional.linear(x, m.weight, m.bias),
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        args=(16, 16),
        kwargs={"bias": True},
    ),
    Case(
        "no-init-module-subclass-in-file",
        """
        class Base(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.lin = nn.Linear(width, width)

            def forward(self, x):
                return self.lin(x)


        class M(Base):
            def forward(self, x):
                return F.dropout(super().forward(x), 0.3)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        args=(16,),
    ),
    Case(
        "super-with-class-and-self",
        """
        class M(nn.Module):
            def __init__(self):
                super(M, self).__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
    ),
    Case(
        "module-init-called-directly",
        """
        class M(nn.Module):
            def __init__(self, p=0.3):
                nn.Module.__init__(self)
                self.lin = nn.Linear(16, 16)
                self.rate = p

            def forward(self, x):
                return F.dropout(self.lin(x), self.rate)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
    ),
    Case(
        "hugging-face-float-attribute",
        """
        class Config:
            hidden_dropout_prob = 0.2
            attention_dropout = 0.4


        class M(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.dropout = config.hidden_dropout_prob
                self.dropout_1 = config.attention_dropout
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                x = F.dropout(self.lin(x), p=self.dropout)
                return F.dropout(x, self.dropout_1)
        """,
        (8, 16),
        lin,
        ("(dropout_layer): Dropout(p=0.2, inplace=False)", "(dropout_1_layer): Dropout(p=0.4"),
        args=("Config()",),
    ),
    Case(
        "p-is-forward-argument",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x, p=0.3):
                return F.dropout(self.lin(x), p)
        """,
        (8, 16),
        lin,
        in_place=True,
    ),
    Case(
        "nested-function-and-lambda",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                def drop(y):
                    return F.dropout(y, 0.2)

                twice = lambda y: F.dropout(y, p=0.2)  # noqa: E731
                return twice(drop(self.lin(x)))
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.2, inplace=False)",),
    ),
    Case(
        "fix-style-argument",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)
                self.p = 0.3

            def forward(self, x):
                x = F.dropout(self.lin(x), self.p)
                x = F.dropout2d(x.unsqueeze(-1), 0.5, inplace=True).squeeze(-1)
                return F.dropout(x, p=0.1)
        """,
        (4, 8, 16),
        lin,
        style="argument",
        in_place=True,
    ),
    Case(
        "drp002-training-true",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3, training=True)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        unsafe=True,
        codes=("DRP002",),
    ),
    Case(
        "drp002-training-true-positional",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3, True)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        unsafe=True,
        codes=("DRP002",),
    ),
    Case(
        "drp003-training-false",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3, training=False)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        unsafe=True,
        codes=("DRP003",),
        train="deliberate",
    ),
    Case(
        "drp003-training-variable",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x, use_dropout=True):
                return F.dropout(self.lin(x), 0.3, training=use_dropout)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        unsafe=True,
        codes=("DRP003",),
    ),
    Case(
        "alpha-dropout",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.alpha_dropout(self.lin(x), 0.3)
        """,
        (8, 16),
        lin,
        ("(alpha_dropout): AlphaDropout(p=0.3, inplace=False)",),
        train="deliberate",
    ),
    Case(
        "feature-alpha-dropout",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(6, 6)

            def forward(self, x):
                return F.feature_alpha_dropout(self.lin(x), p=0.5)
        """,
        (4, 8, 5, 6),
        lin,
        ("(feature_alpha_dropout): FeatureAlphaDropout(p=0.5, inplace=False)",),
        train="deliberate",
    ),
    Case(
        "aten-dropout",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return torch.dropout(self.lin(x), 0.3, True)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        unsafe=True,
        codes=("DRP002",),
    ),
    Case(
        "aten-alpha-and-feature-alpha",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(6, 6)

            def forward(self, x):
                x = torch.alpha_dropout(self.lin(x), 0.2, True)
                return torch.feature_alpha_dropout(x, 0.5, train=True)
        """,
        (4, 8, 5, 6),
        lin,
        (
            "(alpha_dropout): AlphaDropout(p=0.2, inplace=False)",
            "(feature_alpha_dropout): FeatureAlphaDropout(p=0.5, inplace=False)",
        ),
        unsafe=True,
        codes=("DRP002",),
    ),
    Case(
        "aten-feature-dropout-in-place",
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(6, 6)

            def forward(self, x):
                return torch.feature_dropout(self.lin(x), 0.5, True)
        """,
        (4, 8, 5, 6),
        lin,
        unsafe=True,
        codes=("DRP002",),
        in_place=True,
    ),
    Case(
        "nn-imported-by-the-fix",
        """
        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = torch.nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3)
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        header="import torch\nimport torch.nn.functional as F\n\n\n",
    ),
    Case(
        "base-float-attribute-in-file",
        """
        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.dropout = 0.1
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), self.dropout, training=self.training)


        class M(Base):
            def forward(self, x):
                return F.dropout(super().forward(x), 0.3)
        """,
        (8, 16),
        lin,
        ("(dropout_layer): Dropout(p=0.3, inplace=False)",),
    ),
    Case(
        "inheritance-chain-each-fixed",
        """
        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.1)


        class Middle(Base):
            def forward(self, x):
                return F.dropout(super().forward(x), 0.3)


        class M(Middle):
            def __init__(self):
                super().__init__()
                self.p = 0.2

            def forward(self, x):
                return F.dropout(super().forward(x), self.p)
        """,
        (8, 16),
        lin,
        (
            "(dropout): Dropout(p=0.1, inplace=False)",
            "(dropout_1): Dropout(p=0.3, inplace=False)",
            "(dropout_2): Dropout(p=0.2, inplace=False)",
        ),
    ),
    # -- the file's own words (issue 10): names after the rate, spelling, imports, layout
    Case(
        "names-after-the-rate-torch-nn-spelling",
        """
        class M(torch.nn.Module):
            def __init__(self, dropout, activation_dropout):
                super().__init__()
                self.lin = torch.nn.Linear(16, 16)
                self.dropout = dropout
                self.activation_dropout = activation_dropout

            def forward(self, x):
                x = F.dropout(x, p=self.dropout)
                return F.dropout(self.lin(x), p=self.activation_dropout)
        """,
        (8, 16),
        lin,
        (
            "(dropout_layer): Dropout(p=0.2, inplace=False)",
            "(activation_dropout_layer): Dropout(p=0.4, inplace=False)",
        ),
        args=(0.2, 0.4),
        header="import torch\nimport torch.nn.functional as F\n\n\n",
    ),
    Case(
        "layer-class-added-to-from-torch-nn-import",
        """
        class M(Module):
            def __init__(self):
                super().__init__()
                self.lin = Linear(16, 16)

            def forward(self, x):
                return dropout2d(self.lin(x).unsqueeze(-1), 0.5).squeeze(-1)
        """,
        (4, 8, 16),
        lin,
        ("(dropout2d): Dropout2d(p=0.5, inplace=False)",),
        header="from torch.nn import Linear, Module\nfrom torch.nn.functional import dropout2d\n\n\n",
    ),
    Case(
        "long-rate-wrapped-layer-statement",
        """
        class Config:
            attention_probabilities_dropout_probability_for_the_whole_model = 0.3


        class M(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.config = config
                self.lin = nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(
                    self.lin(x),
                    self.config.attention_probabilities_dropout_probability_for_the_whole_model,
                )
        """,
        (8, 16),
        lin,
        ("(dropout): Dropout(p=0.3, inplace=False)",),
        args=("Config()",),
    ),
]


def _import(source: str, tmp_path) -> object:
    name = f"_drp_torch_case_{next(_counter)}"
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _build(case: Case, module) -> torch.nn.Module:
    args = [eval(a, vars(module)) if isinstance(a, str) else a for a in case.args]
    torch.manual_seed(0)
    return getattr(module, case.cls)(*args, **case.kwargs)


def _run(model, x, seed: int):
    torch.manual_seed(seed)
    with torch.no_grad():
        return model(x.clone())


@pytest.fixture
def pair(request, tmp_path):
    case: Case = request.param
    result = fix_source(case.text, SETTINGS, unsafe=case.unsafe, style=case.style)
    original = _build(case, _import(case.text, tmp_path))
    fixed = _build(case, _import(result.source, tmp_path))
    fixed.load_state_dict(original.state_dict(), strict=True)
    return case, result, original, fixed


def _cases(*, where: Callable[[Case], bool] = lambda case: True):
    return pytest.mark.parametrize(
        "pair", [pytest.param(c, id=c.id) for c in CASES if where(c)], indirect=True
    )


@_cases()
def test_fix_is_clean_and_stable(pair):
    case, result, _, _ = pair
    assert result.source != case.text
    assert sorted({f.code.value for f in result.fixed}) == sorted(case.codes)
    compile(result.source, "<fixed>", "exec")
    assert check(result.source, SETTINGS) == []
    again = fix_source(result.source, SETTINGS, unsafe=True, style=case.style)
    assert again.source == result.source and again.fixed == []


@_cases()
def test_state_dict_keys_unchanged(pair):
    _, _, original, fixed = pair
    assert list(fixed.state_dict()) == list(original.state_dict())
    assert list(original.state_dict())  # a Linear: the comparison means something


@_cases(where=lambda case: case.train == "equal")
def test_train_mode_output_is_the_originals(pair):
    case, _, original, fixed = pair
    original.train()
    fixed.train()
    x = torch.randn(case.shape, generator=torch.Generator().manual_seed(42))
    for seed in SEEDS:
        assert torch.equal(_run(fixed, x, seed), _run(original, x, seed))
    # dropout really happens in train mode: the comparison is not vacuous
    with torch.no_grad():
        assert not torch.equal(_run(fixed, x, SEEDS[0]), case.plain(fixed, x))


@_cases(where=lambda case: case.train == "deliberate")
def test_train_mode_deliberate_change(pair):
    """The original never dropped here (alpha without training=, training=False)."""
    case, _, original, fixed = pair
    original.train()
    fixed.train()
    x = torch.randn(case.shape, generator=torch.Generator().manual_seed(42))
    with torch.no_grad():
        plain = case.plain(fixed, x)
    for seed in SEEDS:
        assert torch.equal(_run(original, x, seed), plain)
        assert not torch.equal(_run(fixed, x, seed), plain)


@_cases()
def test_eval_mode_applies_no_dropout(pair):
    case, _, original, fixed = pair
    original.eval()
    fixed.eval()
    x = torch.randn(case.shape, generator=torch.Generator().manual_seed(7))
    first, second = _run(fixed, x, 1), _run(fixed, x, 2)
    assert torch.equal(first, second)
    with torch.no_grad():
        assert torch.equal(first, case.plain(fixed, x))
    if case.train == "equal":
        # the original kept dropping after eval(): that is what was fixed
        assert not torch.equal(_run(original, x, 1), _run(original, x, 2))


@_cases()
def test_repr_shows_the_new_layers(pair):
    case, result, original, fixed = pair
    text = repr(fixed)
    for expected in case.reprs:
        assert expected in text
    if case.in_place:
        assert repr(original) == text
        assert "self.training" in result.source
        assert "self.training" not in case.text
    else:
        assert text != repr(original)


# -- fixer bugs found by these tests (each fixed; kept as regressions) ----------------


def _both(source: str, tmp_path, *, unsafe: bool = False, args: tuple = ()):
    result = fix_source(source, SETTINGS, unsafe=unsafe)
    assert result.fixed
    torch.manual_seed(0)
    original = _import(source, tmp_path).M(*args)
    torch.manual_seed(0)
    fixed = _import(result.source, tmp_path).M(*args)
    fixed.load_state_dict(original.state_dict(), strict=True)
    return original, fixed


@pytest.mark.parametrize(
    "call, unsafe",
    [
        ("F.alpha_dropout(x, 0.3, training=True, inplace=True)", True),
        ("F.feature_alpha_dropout(x, 0.5, True, True)", True),
    ],
)
def test_alpha_in_place_keeps_its_effect(tmp_path, call, unsafe):
    source = HEADER + textwrap.dedent(
        f"""
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(6, 6)

            def forward(self, x):
                x = self.lin(x)
                {call}
                return x
        """
    )
    original, fixed = _both(source, tmp_path, unsafe=unsafe)
    x = torch.randn(4, 8, 5, 6)
    assert torch.equal(_run(fixed, x, 1), _run(original, x, 1))


def test_nn_shadowed_in_init(tmp_path):
    source = HEADER + textwrap.dedent(
        """
        class M(nn.Module):
            def __init__(self, nn=16):
                super().__init__()
                self.lin = torch.nn.Linear(nn, nn)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3)
        """
    )
    original, fixed = _both(source, tmp_path)
    x = torch.randn(8, 16)
    assert torch.equal(_run(fixed, x, 1), _run(original, x, 1))


def test_nn_imported_only_for_type_checking(tmp_path):
    source = textwrap.dedent(
        """\
        from typing import TYPE_CHECKING

        import torch
        import torch.nn.functional as F

        if TYPE_CHECKING:
            from torch import nn


        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = torch.nn.Linear(16, 16)

            def forward(self, x):
                return F.dropout(self.lin(x), 0.3)
        """
    )
    original, fixed = _both(source, tmp_path)
    x = torch.randn(8, 16)
    assert torch.equal(_run(fixed, x, 1), _run(original, x, 1))


def test_p_assigned_by_a_nested_function_of_init(tmp_path):
    source = HEADER + textwrap.dedent(
        """
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(16, 16)

                def configure(rate):
                    self.p = rate

                configure(0.3)

            def forward(self, x):
                return F.dropout(self.lin(x), self.p)
        """
    )
    original, fixed = _both(source, tmp_path)
    x = torch.randn(8, 16)
    assert torch.equal(_run(fixed, x, 1), _run(original, x, 1))


def test_p_changed_through_a_nested_attribute(tmp_path):
    source = HEADER + textwrap.dedent(
        """
        class Config:
            def __init__(self):
                self.p = 0.1


        class M(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.config = config
                self.lin = nn.Linear(16, 16)

            def set_rate(self, p):
                self.config.p = p

            def forward(self, x):
                return F.dropout(self.lin(x), self.config.p)
        """
    )
    module = _import(source, tmp_path)
    original, fixed = _both(source, tmp_path, args=(module.Config(),))
    original.set_rate(0.9)
    fixed.set_rate(0.9)
    x = torch.randn(8, 16)
    assert torch.equal(_run(fixed, x, 1), _run(original, x, 1))


def test_p_only_annotated_in_the_class(tmp_path):
    source = HEADER + textwrap.dedent(
        """
        class M(nn.Linear):
            p: float

            def forward(self, x):
                return F.dropout(super().forward(x), self.p)
        """
    )
    original, fixed = _both(source, tmp_path, args=(16, 16))
    original.p = fixed.p = 0.3
    x = torch.randn(8, 16)
    assert torch.equal(_run(fixed, x, 1), _run(original, x, 1))
