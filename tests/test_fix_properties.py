"""Property-based tests of the fix over generated module files (SPEC section 3).

The strategy writes module files with 1-3 classes (nn.Module or torch layer
subclasses, maybe subclassing an earlier class of the file), with or without
`__init__` (maybe with an early `return`), with attribute names the fix would
like to use already taken (also in class-body conditionals), a config object
that `forward` changes through an alias, a module-level rate that `forward`
rebinds through `global`, and several dropout calls per `forward` with varied
`p`, function, `training`, nesting and `# noqa`.

Properties, for both fix styles, safe and unsafe:
- the fixed file compiles;
- a second fix run returns the same text;
- re-linting finds exactly the findings that were not fixed: the fix removes
  what it fixed and adds nothing; only `# noqa` lines and calls without a
  receiver (`@staticmethod`, `@classmethod`) keep a fixable finding;
- with torch: every class that builds and runs before the fix still builds and
  runs after it; once no finding is left, eval mode applies no dropout; and in
  train mode the output is the original's under the same seed unless a fixed
  call was never active in training (alpha variants, `training=False`, ...).
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from flake8_dropout.engine import check
from flake8_dropout.fix import fix_source
from flake8_dropout.settings import Settings

SETTINGS = Settings()
UNFIXABLE = "# unfixable"  # marks calls in staticmethods/classmethods

FUNCTIONS = ("dropout", "dropout2d", "alpha_dropout")

# (header, how the classes spell torch.nn)
HEADERS = (
    ("import torch\nimport torch.nn.functional as F\nfrom torch import nn\n", "nn"),
    ("import torch\nimport torch.nn as tnn\nimport torch.nn.functional as F\n", "tnn"),
    ("import torch\nimport torch.nn.functional as F\n", "torch.nn"),  # the fix imports nn
    ("import torch\nfrom torch.nn import functional as F\n\nnn = None\n", "torch.nn"),
    (
        (
            '"""Doc."""\n\nfrom __future__ import annotations\n\nimport torch\n'
            "F = torch.nn.functional\n"
        ),
        "torch.nn",
    ),
)


@dataclass
class Call:
    function: str
    p: str  # "" or ", <p>"
    training: str  # "" or ", training=..." or ", True"
    inplace: str
    noqa: str  # "" or a noqa comment

    def text(self, arg: str) -> str:
        return f"F.{self.function}({arg}{self.p}{self.training}{self.inplace})"


@st.composite
def calls(draw, me: str, attrs: list[str]) -> Call:
    function = draw(st.sampled_from(FUNCTIONS))
    p_forms = ["", ", 0.3", ", p=0.1", ", q", ", p=q", ", RATE", ", p=RATE * 2", ", p=local"]
    p_forms += [f", {me}.{a}" for a in attrs] + [f", p={me}.{a}" for a in attrs]
    p = draw(st.sampled_from(p_forms))
    trainings = ["", "", ", training=True", ", training=False", f", training={me}.training"]
    trainings += [", training=flag", f", training=not {me}.training"]
    if p and "=" not in p:
        trainings += [", True", ", False", f", {me}.training"]
    training = draw(st.sampled_from(trainings))
    inplace = draw(st.sampled_from(["", "", ", inplace=True", ", inplace=False"]))
    if training and "=" not in training and inplace:
        inplace = inplace.replace(", inplace=", ", ")  # all positional
    noqa = draw(st.sampled_from(["", "", "", "  # noqa", "  # noqa: DRP001", "  # NOQA:DRP002"]))
    return Call(function, p, training, inplace, noqa)


@st.composite
def forward_lines(draw, me: str, attrs: list[str]) -> list[str]:
    """The body of forward: several calls, some nested in a function or lambda."""
    lines = ["local = 0.2"]
    nestings = ["plain", "plain", "def", "lambda", "if", "training", "add", "nested", "multi"]
    for index in range(draw(st.integers(1, 4))):
        call = draw(calls(me, attrs))
        nesting = draw(st.sampled_from(nestings))
        if nesting == "plain":
            lines.append(f"x = {call.text('x')}{call.noqa}")
        elif nesting == "def":
            lines += [
                f"def inner_{index}(y):",
                f"    return {call.text('y')}{call.noqa}",
                "",
                f"x = inner_{index}(x)",
            ]
        elif nesting == "lambda":
            lines.append(f"x = (lambda y: {call.text('y')})(x){call.noqa}")
        elif nesting == "if":
            lines += ["if x.dim() > 1:", f"    x = {call.text('x')}{call.noqa}"]
        elif nesting == "training":  # only runs in training: never reported
            lines += [f"if {me}.training:", f"    x = {call.text('x')}{call.noqa}"]
        elif nesting == "add":
            lines.append(f"x = x + {call.text('x')}{call.noqa}")
        elif nesting == "nested":
            inner = draw(calls(me, attrs))
            lines.append(f"x = {call.text(inner.text('x'))}{call.noqa}")
        else:  # one argument a line, trailing comma; noqa on the call's first line
            arguments = ["x", *(a[2:] for a in (call.p, call.training, call.inplace) if a)]
            lines += [f"x = F.{call.function}({call.noqa}"]
            lines += [f"    {a}," for a in arguments]
            lines += [")"]
    if draw(st.integers(0, 4)) == 0:
        lines.append("bump()")  # rebinds the module-level RATE: a layer would freeze it
    if "cfg.p" in attrs and draw(st.booleans()):
        lines += [f"cfg = {me}.cfg", "cfg.p = cfg.p * 0.5"]  # changes the rate through an alias
    return [*lines, "return x"]


@st.composite
def classes(draw, index: int, earlier: list[str], nn: str) -> str:
    name = f"Net{index}"
    # torch layers own names (nn.Dropout: `p`, `inplace`) that the fix must not reuse
    layers = [f"{nn}.Module", f"{nn}.Module", f"{nn}.Identity", f"{nn}.Dropout", f"{nn}.ReLU"]
    base = draw(st.sampled_from([*layers, *earlier]))
    me = draw(st.sampled_from(["self", "self", "this"]))
    init_me = draw(st.sampled_from(["self", me]))
    attrs: list[str] = []
    body: list[str] = []
    if draw(st.booleans()):
        body += ["dropout = 0.1", ""]
        attrs.append("dropout")
    if draw(st.integers(0, 3)) == 0:  # a class attribute only a conditional binds
        body += ["if RATE > 0:", "    dropout_1 = 0.1", "else:", "    dropout_1 = 0.2", ""]
    init_form = draw(st.sampled_from(["none", "none", "block", "block", "block", "one-line"]))
    if init_form == "one-line":
        body += [f"def __init__({init_me}): super().__init__()", ""]
    elif init_form == "block":
        base_init = draw(
            st.sampled_from(
                [
                    "super().__init__()",
                    f"super({name}, {init_me}).__init__()",
                    f"{base}.__init__({init_me})",
                    "",  # no base initialiser: the fix must fall back in place
                ]
            )
        )
        init = [f"def __init__({init_me}, p=0.2, RATE=0.9):"]
        if draw(st.booleans()):
            init.append('    """Docstring."""')
        assignments = []
        for attr, value in (("p", "p"), ("dropout", "0.1"), ("dropout_1", "p / 2")):
            if draw(st.booleans()):
                assignments.append(f"    {init_me}.{attr} = {value}")
                attrs.append(attr)
        if draw(st.integers(0, 3)) == 0:
            assignments.append(f"    {init_me}.cfg = types.SimpleNamespace(p=0.3)")
            attrs.append("cfg.p")
        before = draw(st.integers(0, len(assignments)))  # plain floats may precede it
        init += assignments[:before]
        if base_init:
            init.append(f"    {base_init}")
        init.append(f"    {init_me}.lin = {nn}.Linear(4, 4)")
        init += assignments[before:]
        if draw(st.integers(0, 3)) == 0:  # a path on which nothing after it runs
            at = draw(st.integers(1, len(init)))
            init[at:at] = ["    if p is None:", "        return"]
        body += [*init, ""]
    if draw(st.integers(0, 4)) == 0:
        body += [f"def set_rate({me}, rate):", f"    {me}.later = rate", ""]
        attrs.append("later")
    if draw(st.integers(0, 4)) == 0:
        attrs.append("unset")  # read but never assigned: cannot move to __init__
    forward = draw(forward_lines(me, attrs))
    body.append(f"def forward({me}, x, q=0.5, flag=True):")
    body += [f"    {line}" if line else "" for line in forward]
    if draw(st.booleans()):
        decorator = draw(st.sampled_from(["staticmethod", "classmethod"]))
        first = "x" if decorator == "staticmethod" else "cls, x"
        body += [
            "",
            f"@{decorator}",
            f"def helper({first}):",
            f"    return F.dropout(x, 0.1)  {UNFIXABLE}",
        ]
    lines = [f"class {name}({base}):", *(f"    {line}" if line else "" for line in body)]
    return "\n".join(lines) + "\n"


@st.composite
def module_files(draw) -> str:
    header, nn = draw(st.sampled_from(HEADERS))
    names: list[str] = []
    parts = [
        header,
        "import types\n\nRATE = 0.25\n\n\ndef bump():\n    global RATE\n    RATE = RATE * 0.9\n",
    ]
    for index in range(draw(st.integers(1, 3))):
        parts.append("\n\n" + draw(classes(index, names, nn)))
        names.append(f"Net{index}")
    return "".join(parts)


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z0-9, ]+))?", re.IGNORECASE)


def _suppressed(line: str, code: str) -> bool:
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in re.split(r"[,\s]+", codes.strip())


def _line(source: str, finding) -> str:
    return source.splitlines()[finding.line - 1]


def _fixable(source: str, finding, unsafe: bool) -> bool:
    line = _line(source, finding)
    if _suppressed(line, finding.code.value) or UNFIXABLE in line:
        return False
    return unsafe or finding.code.value == "DRP001"


def _assert_fix_properties(source: str, unsafe: bool, style: str) -> str:
    before = check(source, SETTINGS)
    result = fix_source(source, SETTINGS, unsafe=unsafe, style=style)
    fixed = result.source
    compile(fixed, "<fixed>", "exec")

    expected_fixed = [f for f in before if _fixable(source, f, unsafe)]
    assert result.fixed == expected_fixed
    assert (fixed == source) == (not expected_fixed)

    after = check(fixed, SETTINGS)
    left = Counter(f.code.value for f in before) - Counter(f.code.value for f in expected_fixed)
    assert Counter(f.code.value for f in after) == left
    for finding in after:
        assert not _fixable(fixed, finding, unsafe), (finding, fixed)

    again = fix_source(fixed, SETTINGS, unsafe=unsafe, style=style)
    assert again.source == fixed
    assert again.fixed == []
    return fixed


PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("DRP_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(module_files(), st.booleans())
def test_layer_fix_properties(source, unsafe):
    _assert_fix_properties(source, unsafe, "layer")


@PROPERTY_SETTINGS
@given(module_files(), st.booleans())
def test_argument_fix_properties(source, unsafe):
    _assert_fix_properties(source, unsafe, "argument")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module_files())
def test_generated_sources_compile(source):
    compile(source, "<generated>", "exec")


# -- with torch ---------------------------------------------------------------------


def _models(source: str) -> dict:
    namespace: dict = {"__name__": "_generated"}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 (our own text)
    return {name: namespace[name] for name in sorted(namespace) if name.startswith("Net")}


def _run(model, x, seed: int):
    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    with torch.no_grad():
        return model(x.clone())


def _call_at(source: str, finding) -> ast.Call:
    """The call a finding points at, parsed on its own."""
    lines = source.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: finding.line - 1]) + finding.column
    depth = 0
    for end in range(source.index("(", start), len(source)):
        depth += {"(": 1, ")": -1}.get(source[end], 0)
        if depth == 0:
            break
    call = ast.parse(source[start : end + 1].strip(), mode="eval").body
    assert isinstance(call, ast.Call)
    return call


def _never_active_in_training(call: ast.Call) -> bool:
    """A call the original never applied in train mode: the fix makes it active."""
    training = next((k.value for k in call.keywords if k.arg == "training"), None)
    if training is None and len(call.args) > 2:
        training = call.args[2]
    assert isinstance(call.func, ast.Attribute)
    if training is None:
        return "alpha" in call.func.attr
    return isinstance(training, ast.UnaryOp) or (
        isinstance(training, ast.Constant) and training.value is False
    )


def _working(model_class, x):
    """A built model whose train-mode forward runs, or None."""
    try:
        model = model_class()
        model.train()
        _run(model, x, 0)
    except (AttributeError, NameError, RuntimeError, TypeError, ValueError):
        return None
    return model


@settings(
    max_examples=int(os.environ.get("DRP_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(module_files(), st.sampled_from([True, True, False]), st.sampled_from(["layer", "argument"]))
def test_fixed_modules_run_like_the_originals(source, unsafe, style):
    torch = pytest.importorskip("torch")
    result = fix_source(source, SETTINGS, unsafe=unsafe, style=style)
    assume(result.fixed)
    originals = _models(source)
    fixed_classes = _models(result.source)
    fixed_calls = [_call_at(source, f) for f in result.fixed]
    deliberate = any(_never_active_in_training(call) for call in fixed_calls)
    clean = not check(result.source, SETTINGS)
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(5))
    ran = 0
    for name, original_class in originals.items():
        original = _working(original_class, x)
        if original is None:  # the generated class itself is broken: nothing to compare
            continue
        ran += 1
        fixed = fixed_classes[name]()
        fixed.load_state_dict(original.state_dict(), strict=True)
        assert list(fixed.state_dict()) == list(original.state_dict())
        fixed.train()
        _run(fixed, x, 0)  # as _working ran the original: `forward` may change state
        # Both run the same steps, so state that forward changes stays in step.
        for seed in (1, 2):
            got, expected = _run(fixed, x, seed), _run(original, x, seed)
            if not deliberate:
                assert torch.equal(got, expected), name
        fixed.eval()
        original.eval()
        first, second = _run(fixed, x, 1), _run(fixed, x, 2)
        _run(original, x, 1), _run(original, x, 2)
        if clean:
            assert torch.equal(first, second), name
    event(f"deliberate={deliberate} clean={clean}")
    assume(ran)


# -- fixer issues found while writing the generator (each fixed; kept as regressions) ---


def test_generated_init_leaves_the_next_methods_comment_in_place():
    source = (
        "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
        "class M(nn.Module):\n"
        "    # the forward pass\n"
        "    def forward(self, x):\n"
        "        return F.dropout(x, 0.1)\n"
    )
    fixed = fix_source(source, SETTINGS).source
    assert "    # the forward pass\n    def forward(self, x):\n" in fixed
