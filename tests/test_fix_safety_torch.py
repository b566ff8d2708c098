"""The safe fix never breaks a module, proven with real torch on the fix fixtures.

Each fixture of tests/fixes named below holds modules that probe one way a new
layer could break a working model (README, "The fix": a torch base owning the
name, an `__init__` path without the layer, a rate that changes later, a
forward that runs every child, names the class body hides, ...). For each
class, before.py and after.py are imported and built with the same arguments;
then:

- the same `state_dict()` keys, and the old state dict loads strictly;
- in train mode, two steps under one seed each give exactly the original's
  output (with an action between the steps where the rate would change);
- in eval mode the output is the same for two seeds: no dropout left;
- `torch.jit.script` works on the fixed module wherever it did on the
  original, with the same eval output;
- `copy.deepcopy` and a `pickle` round trip give a module with the same output
  (where they worked on the original).
"""

from __future__ import annotations

import copy
import importlib.util
import itertools
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

torch = pytest.importorskip("torch")

FIXES = Path(__file__).parent / "fixes"
_counter = itertools.count()


@dataclass
class Proof:
    fixture: str
    cls: str
    shape: tuple[int, ...]
    args: str = "()"  # the constructor's arguments, evaluated in the fixture module
    between: Callable | None = None  # (module, model) -> None, run between the two steps
    train_equal: bool = True  # False: unsafe fixes that change train mode on purpose
    eval_clean: bool = True  # False: a finding the fix cannot touch is left

    @property
    def id(self) -> str:
        return f"{self.fixture}-{self.cls}{self.args if self.args != '()' else ''}"


def _call(name: str, *args):
    return lambda module, model: getattr(module, name)(*args)


def _method(name: str):
    return lambda module, model: getattr(model, name)()


PROOFS = [
    Proof("torch_base_names", "Recurrent", (2, 3, 4), "(4, 4, 2, dropout=0.3, batch_first=True)"),
    Proof("torch_base_names", "Attention", (2, 3, 4), "(4, 2, dropout=0.2, batch_first=True)"),
    Proof("torch_base_names", "Encoder", (2, 3, 4), "(4, 2, 8, dropout=0.3, batch_first=True)"),
    Proof("torch_base_names", "Stack", (2, 4), "(nn.Linear(4, 4),)"),
    Proof("generated_init_names", "Net", (2, 4), "(4, 4)"),
    Proof("layer_on_every_path", "LateReturn", (2, 4), "(0.3,)"),
    Proof("layer_on_every_path", "LateReturn", (2, 4), "(0.3, True)"),
    Proof("layer_on_every_path", "EarlyReturn", (2, 4)),
    Proof("layer_on_every_path", "EarlyReturn", (2, 4), "(0.2,)"),
    Proof("layer_on_every_path", "Base", (2, 4)),
    Proof("layer_on_every_path", "SkipsBase", (2, 4)),
    Proof("layer_on_every_path", "SkipsParent", (2, 4)),
    Proof("layer_on_every_path", "Follows", (2, 4)),
    Proof("layer_on_every_path", "Probe", (1, 1, 16)),
    Proof("layer_on_every_path", "Reinit", (2, 4), "(4, 4)"),
    Proof("rate_frozen", "Hooked", (2, 4)),
    Proof(
        "rate_frozen",
        "Aliased",
        (2, 4),
        "(__import__('types').SimpleNamespace(p=0.4),)",
        _method("anneal"),
    ),
    Proof("rate_frozen", "Global", (2, 4), between=_call("set_rate", 0.6)),
    Proof("rate_frozen", "Shared", (2, 4), between=_call("set_hidden", 0.7)),
    Proof("rate_frozen", "Held", (2, 4), between=_call("set_hidden", 0.7)),
    Proof("rate_frozen", "Constant", (2, 4)),
    Proof("children_iteration", "Chain", (2, 4)),
    Proof("children_iteration", "Counted", (2, 4)),
    Proof("children_iteration", "Reporter", (2, 4)),
    Proof("children_iteration", "Registry", (2, 4)),
    Proof("no_receiver_lambdas", "Net", (2, 4), eval_clean=False),
    Proof("hidden_names", "Unpacked", (2, 4)),
    Proof("hidden_names", "Conditional", (2, 4)),
    Proof("hidden_names", "Guarded", (2, 4)),
    Proof("hidden_names", "Registered", (2, 4)),
    Proof("hidden_names", "Probed", (2, 4)),
    Proof("hidden_names", "Set", (2, 4)),
    Proof("hidden_names", "Property", (2, 4)),
    Proof("hidden_names", "Named", (2, 4), "(['dropout', 'head'],)"),
    Proof("hidden_names", "Prefixed", (2, 4)),
    Proof("init_not_plain", "Chosen", (2, 4)),
    Proof("init_not_plain", "Assigned", (2, 4)),
    Proof("init_not_plain", "Delegating", (2, 4)),
    Proof("import_under_if", "Net", (2, 4)),
    Proof("tab_indented", "Net", (2, 4)),
    Proof("tab_indented", "Bare", (2, 4)),
    Proof("nfkc_names", "Net", (2, 4), train_equal=False),
]


def _import(path: Path):
    name = f"_drp_safety_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pickle finds the classes by module name
    spec.loader.exec_module(module)
    return module


def _build(proof: Proof, module):
    torch.manual_seed(0)
    namespace = {**vars(module), "_arguments": lambda *args, **kwargs: (args, kwargs)}
    args, kwargs = eval("_arguments" + proof.args, namespace)  # our own fixture text
    return getattr(module, proof.cls)(*args, **kwargs)


def _run(model, x, seed: int):
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model(x.clone())
    return out[0] if isinstance(out, tuple) else out


@pytest.fixture
def built(request):
    proof: Proof = request.param
    before = _import(FIXES / proof.fixture / "before.py")
    after = _import(FIXES / proof.fixture / "after.py")
    original, fixed = _build(proof, before), _build(proof, after)
    return proof, before, after, original, fixed


@pytest.mark.parametrize("built", [pytest.param(p, id=p.id) for p in PROOFS], indirect=True)
def test_fixed_module_is_the_original(built):
    proof, before, after, original, fixed = built
    assert list(fixed.state_dict()) == list(original.state_dict())
    fixed.load_state_dict(original.state_dict(), strict=True)
    x = torch.randn(proof.shape, generator=torch.Generator().manual_seed(3))

    original.train()
    fixed.train()
    for step, seed in enumerate((1, 2)):
        if step and proof.between is not None:
            proof.between(before, original)
            proof.between(after, fixed)
        got, expected = _run(fixed, x, seed), _run(original, x, seed)
        if proof.train_equal:
            assert torch.equal(got, expected), f"train step {step + 1}"

    fixed.eval()
    first = _run(fixed, x, 1)
    if proof.eval_clean:
        assert torch.equal(first, _run(fixed, x, 2)), "dropout left in eval mode"

    for duplicate in (copy.deepcopy, lambda model: pickle.loads(pickle.dumps(model))):
        try:
            duplicate(original)
        except (TypeError, AttributeError, pickle.PicklingError):
            continue  # it did not work before the fix either (a local hook function)
        clone = duplicate(fixed)
        clone.eval()
        assert list(clone.state_dict()) == list(fixed.state_dict())
        if proof.eval_clean:
            assert torch.equal(_run(clone, x, 1), first)


@pytest.mark.parametrize("built", [pytest.param(p, id=p.id) for p in PROOFS], indirect=True)
def test_script_works_where_it_did(built):
    proof, _, _, original, fixed = built
    try:
        torch.jit.script(original)
    except Exception:  # noqa: BLE001 (many probes are not scriptable to begin with)
        pytest.skip("the original does not script")
    scripted = torch.jit.script(fixed)
    scripted.eval()
    fixed.eval()
    x = torch.randn(proof.shape, generator=torch.Generator().manual_seed(4))
    if proof.eval_clean:
        assert torch.equal(_run(scripted, x, 1), _run(fixed, x, 1))
