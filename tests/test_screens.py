"""The text screen (used when no `ast` tree is given) never hides a finding of the engine.

Soundness: whenever `check(source, screens=False)` (libcst alone) reports a
finding, `text_screen(source).possible` is True, and `check` with the screens
on gives exactly the same findings. Checked on the case and fixture files
(whole and one top-level definition at a time), on hand-written layouts that
could fool a text scan, and on generated files. The string and comment
scanner is compared with Python's own tokenizer.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
import unicodedata
from pathlib import Path

import pytest
from helpers import one_definition_per_source
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flake8_dropout.engine import check, prescreen
from flake8_dropout.screen import screen
from flake8_dropout.settings import Settings
from flake8_dropout.source import decode
from flake8_dropout.text_screen import (
    _STAR_IMPORT,
    _passes_own_flag,
    _Regions,
    _regions,
    _spelled_otherwise,
    bytes_may_hold_finding,
    call_sites,
    import_names,
    method_piece,
    text_may_hold_finding,
    text_screen,
)

HERE = Path(__file__).parent
ROOT = HERE.parent
CORPUS = sorted(
    [
        *(HERE / "cases").glob("*.py"),
        *(HERE / "fixes").glob("*/before.py"),
        *(ROOT / "examples").glob("*.py"),
    ]
)
SETTINGS = Settings()


def _key(findings) -> list[tuple]:
    return [(f.line, f.column, f.code, f.message) for f in findings]


def assert_sound(source: str) -> None:
    """The text screen says "maybe" wherever libcst finds something; screens change nothing."""
    try:
        ast.parse(source)
        without = check(source, SETTINGS, screens=False)
    except Exception:  # noqa: BLE001 - a file the engine rejects has no findings to hide
        return
    verdict = text_screen(source)
    assert verdict.possible or not without, source
    assert _key(check(source, SETTINGS)) == _key(without), source


def _read(path: Path) -> str:
    return decode(path.read_bytes()).text


def test_the_corpus_is_there():
    assert len(CORPUS) > 25


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_corpus_files(path: Path):
    source = _read(path)
    assert_sound(source)
    for part in one_definition_per_source(source):
        assert_sound(part)


def test_the_corpus_has_findings_the_text_screen_must_keep():
    kept = [p for p in CORPUS if check(_read(p), SETTINGS, screens=False)]
    assert len(kept) > 15
    assert all(text_screen(_read(p)).possible for p in kept)


# --- hand-written layouts -------------------------------------------------------------------

HEADER = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"


def module(body: str, header: str = HEADER) -> str:
    return header + body


TRICKY_FINDINGS = {
    "column-0 text in a docstring before the call": module(
        'class A(nn.Module):\n    def forward(self, x):\n        """Example:\n'
        "class B:\n    pass\n"
        'def g():\n"""\n        return F.dropout(x)\n'
    ),
    "a docstring hides a fake def, and its end looks like a string start": module(
        'class A(nn.Module):\n    def forward(self, x):\n        """\n'
        'def helper():\n    # """\n        return F.dropout(x)\n'
    ),
    "code-like text in strings around the call": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        s = 'F.dropout(x, training=self.training)'\n"
        '        t = """\nclass C:\n    F.dropout(x)\n"""\n'
        "        return F.dropout(x)  # F.dropout(x, training=self.training)\n"
    ),
    "backslash continuations": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return F \\\n            .dropout \\\n            (x)\n"
    ),
    "comments between the name and its parenthesis": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return (F.dropout  # why not\n            )(x)\n"
    ),
    "comment between the dot and the name": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return (F.  # a comment\n            dropout)(x)\n"
    ),
    "a chain across lines inside brackets": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return (torch.nn\n            .functional\n\n            .dropout(x))\n"
    ),
    "a parenthesised function": module(
        "class A(nn.Module):\n    def forward(self, x):\n        return (F.dropout)(x)\n"
    ),
    "a parenthesised root": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return (torch.nn.functional).dropout(x)\n"
    ),
    "a subscript in the chain": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return torch.nn[0].functional.dropout(x)\n"
    ),
    "an alias over several lines": "import torch\nfrom torch import nn\n"
    "from torch.nn.functional import (\n    relu,\n    dropout  # the one\n"
    "    as\n    drop,\n)\n\n\nclass A(nn.Module):\n    def forward(self, x):\n"
    "        return drop(x)\n",
    "an alias after a backslash": "import torch\nfrom torch import nn\n"
    "from torch.nn.functional import dropout \\\n    as d\n\n\n"
    "class A(nn.Module):\n    def forward(self, x):\n        return d(x)\n",
    "a call in a nested class": module(
        "def factory():\n    class Inner(nn.Module):\n        class Deeper(nn.Module):\n"
        "            def forward(self, x):\n                return F.dropout(x)\n"
        "        pass\n    return Inner\n"
    ),
    "decorators, one holding a call": module(
        "@torch.no_grad()\n@some(\n    F.dropout(torch.ones(1))\n)\nclass A(nn.Module):\n"
        "    @staticmethod\n    def helper(x):\n        return F.dropout(x)\n\n"
        "    @property\n    def forward(self):\n        return F.dropout(self.x)\n"
    ),
    "import inside a function": "import torch\nfrom torch import nn\n\n\n"
    "class A(nn.Module):\n    def forward(self, x):\n"
    "        import torch.nn.functional as G\n\n        return G.dropout(x)\n",
    "star import": "import torch\nfrom torch import nn\nfrom torch.nn.functional import *\n\n\n"
    "class A(nn.Module):\n    def forward(self, x):\n        return dropout(x)\n",
    "inside an f-string": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        print(f\"{'{'}{F.dropout(x)}\")\n        return x\n"
    ),
    "inside a triple-quoted f-string spanning a class line": module(
        'class A(nn.Module):\n    def forward(self, x):\n        return f"""\n'
        'class B:\n{F.dropout(x)}"""\n'
    ),
    "a class under an if, after a def": module(
        "def f():\n    pass\n\n\nif torch.cuda.is_available():\n"
        "    class A(nn.Module):\n        def forward(self, x):\n"
        "            return F.dropout(x)\n"
    ),
    "a class at the top, no def before it": "import torch.nn.functional as F\n"
    "import torch.nn as nn\nif True:\n    class A(nn.Module):\n"
    "        def forward(self, x):\n            return F.dropout(x)\n",
    "the wrong receiver": module(
        "class A(nn.Module):\n    def forward(this, x):\n"
        "        return F.dropout(x, training=self.training)\n"
    ),
    "column-0 brackets content": module(
        "class A(nn.Module):\n    def forward(self, x):\n        return torch.cat([\n"
        "F.dropout(x),\nx])\n"
    ),
    "a column-0 decorator-like operator in brackets": module(
        "class A(nn.Module):\n    def forward(self, x):\n        y = (x\n@ x)\n"
        "        return F.dropout(y)\n"
    ),
    "carriage returns": module(
        "class A(nn.Module):\r\n    def forward(self, x):\r\n        return F.dropout(x)\r\n"
    ),
    "a lone carriage return": module(
        "class A(nn.Module):\r    def forward(self, x):\r        return F.dropout(x)\r"
    ),
    "an `if` keyword before a string (no prefix)": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        '        y = 1 if"{" else 2\n        return F.dropout(x)\n'
    ),
    "a raw string ending in an escaped quote": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        y = r'\\'' + '#'\n        return F.dropout(x)\n"
    ),
    "non-ASCII names": "import torch\nfrom torch import nn\nimport torch.nn.functional as é\n\n\n"
    "class A(nn.Module):\n    def forward(self, x):\n        return é.dropout(x)\n",
    # A class in a top-level function: its calls are not cleared unparsed.
    "a module class defined in a function": module(
        "def make():\n    class A(nn.Module):\n        def forward(self, x):\n"
        "            return F.dropout(x)\n    return A\n"
    ),
    "a class statement after a continuation line": module(
        "def make():\n\ty = 1 + \\\n        2\n\tclass A(nn.Module):\n"
        "\t    def forward(self, x):\n\t        return F.dropout(x)\n\treturn A\n"
    ),
    "a class in the function's last line": module(
        "def make():\n    class A(nn.Module): forward = lambda self, x: F.dropout(x)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(TRICKY_FINDINGS))
def test_tricky_layouts_keep_their_findings(name: str):
    source = TRICKY_FINDINGS[name]
    assert check(source, SETTINGS, screens=False), "the case must hold a finding"
    assert text_screen(source).possible
    assert_sound(source)


TRICKY_CLEAN = {
    "only in comments and strings": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        # return F.dropout(x)\n        return 'F.dropout(x)'\n"
    ),
    "an attribute of self": module(
        "class A(nn.Module):\n    def forward(self, x):\n        return self.dropout(x)\n"
    ),
    "follows the mode": module(
        "class A(nn.Module):\n    def forward(self, x):\n"
        "        return F.dropout(x, 0.1, training=self.training)\n"
    ),
    "a module-level function": module("def f(x):\n    return F.dropout(x)\n"),
    "an unimported root": module(
        "class A(nn.Module):\n    def forward(self, x):\n        return G.dropout(x)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(TRICKY_CLEAN))
def test_clean_layouts_are_not_parsed_whole(name: str):
    source = TRICKY_CLEAN[name]
    assert not check(source, SETTINGS, screens=False)
    assert not text_screen(source).possible
    assert_sound(source)


def test_a_subscripted_root_stays_suspicious_in_the_ast_screen():
    tree = ast.parse(TRICKY_FINDINGS["a subscript in the chain"])
    assert screen(tree).suspicious


# --- the method around a call site ---------------------------------------------------------

FOLLOWS = "F.dropout(x, training=self.training)"


def in_a_class(body: str) -> str:
    return module("class A(nn.Module):\n" + body)


# Each layout: the first line of the piece chosen for each call site, in order (None: the
# narrowing falls back to the top-level block). Each must leave the findings unchanged.
NARROWING = {
    "a plain method": (
        in_a_class(f"    def forward(self, x):\n        return {FOLLOWS}\n"),
        ["    def forward(self, x):"],
    ),
    "a static method": (
        in_a_class(f"    @staticmethod\n    def forward(self, x):\n        return {FOLLOWS}\n"),
        [None],
    ),
    "a class method after a multi-line decorator": (
        in_a_class(
            "    def before(self):\n        pass\n\n"
            "    @foo(\n    x)\n    @classmethod\n"
            f"    def forward(self, x):\n        return {FOLLOWS}\n"
        ),
        [None],
    ),
    "a static method before a multi-line decorator": (
        in_a_class(
            "    def before(self):\n        pass\n\n    @builtins.staticmethod\n"
            f"    @foo(\n        x)\n    def forward(self, x):\n        return {FOLLOWS}\n"
        ),
        [None],
    ),
    "a static method in NFKC spelling": (
        in_a_class(f"    @ｓtaticmethod\n    def forward(self, x):\n        return {FOLLOWS}\n"),
        [None],
    ),
    "other decorators": (
        in_a_class(
            "    @torch.no_grad()\n    @foo(\n        x,\n    )\n"
            f"    async def forward(self, x):\n        return {FOLLOWS}\n"
        ),
        ["    async def forward(self, x):"],
    ),
    "a def nested in a method, its parameter shadows the receiver": (
        in_a_class(
            "    def forward(self, x):\n        def inner(self):\n"
            f"            return {FOLLOWS}\n\n        return inner(x)\n"
        ),
        ["    def forward(self, x):"],
    ),
    "a nested def under an if": (
        in_a_class(
            "    def forward(self, x):\n        if x:\n            def inner(y):\n"
            f"                return {FOLLOWS}\n        return x\n"
        ),
        ["    def forward(self, x):"],
    ),
    "a lambda shadows the receiver": (
        in_a_class(
            f"    def forward(self, x):\n        f = lambda self: {FOLLOWS}\n        return f\n"
        ),
        ["    def forward(self, x):"],
    ),
    "the receiver rebound by a for loop": (
        in_a_class(
            "    def forward(self, x):\n        for self in self.children():\n"
            f"            x = {FOLLOWS}\n        return x\n"
        ),
        ["    def forward(self, x):"],
    ),
    "the receiver rebound after the call": (
        in_a_class(
            f"    def forward(self, x):\n        x = {FOLLOWS}\n        self = None\n        return x\n"
        ),
        ["    def forward(self, x):"],
    ),
    "a def under an if in a class body": (
        in_a_class(f"    if True:\n        def forward(self, x):\n            return {FOLLOWS}\n"),
        [None],
    ),
    "a class inside a function": (
        module(
            "def factory():\n    class A(nn.Module):\n        def forward(self, x):\n"
            f"            return {FOLLOWS}\n\n    return A\n"
        ),
        ["        def forward(self, x):"],
    ),
    "a nested class": (
        in_a_class(
            "    class Inner(nn.Module):\n        def forward(this, x):\n"
            "            return F.dropout(x, training=this.training)\n\n"
            f"    def forward(self, x):\n        return {FOLLOWS}\n"
        ),
        ["        def forward(this, x):", "    def forward(self, x):"],
    ),
    "column-0 lines in strings of the method": (
        in_a_class(
            '    def forward(self, x):\n        """Doc.\nclass B:\ndef g(self):\n"""\n'
            f"        y = {FOLLOWS}\n        s = '''\nclass C:\n'''\n        return y\n\n"
            "    def later(self):\n        return x\n"
        ),
        ["    def forward(self, x):"],
    ),
    "a continuation at column 0 after the call": (
        in_a_class(
            f"    def forward(self, x):\n        y = {FOLLOWS} + torch.cat([\nx])\n"
            "        return y\n"
        ),
        ["    def forward(self, x):"],  # cut inside the brackets: it does not parse
    ),
    "a one-line method": (
        in_a_class(f"    def forward(self, x): return {FOLLOWS}\n    x = 1\n"),
        [f"    def forward(self, x): return {FOLLOWS}"],
    ),
    "a call in a default argument": (
        in_a_class(f"    def forward(self, x, y={FOLLOWS}):\n        return y\n"),
        [f"    def forward(self, x, y={FOLLOWS}):"],
    ),
    "a long header": (
        in_a_class(
            "    def forward(\n        self,\n        x,\n    ) -> torch.Tensor:\n"
            f"        return {FOLLOWS}\n"
        ),
        ["    def forward("],
    ),
    "tabs": (
        module(f"class A(nn.Module):\n\tdef forward(self, x):\n\t\treturn {FOLLOWS}\n"),
        [None],
    ),
    "a form feed": (
        in_a_class(f"    def forward(self, x):\n        return {FOLLOWS}\n\x0c"),
        [None],
    ),
    "a lone backslash makes a def nested": (
        in_a_class(
            "    def helper(self):\n        y = 1\n        \\\n"
            f"    def forward(self, x):\n            return {FOLLOWS}\n"
        ),
        [None],
    ),
    "a call in the class body": (
        in_a_class(f"    def forward(self, x):\n        return x\n    y = {FOLLOWS}\n"),
        [None],
    ),
    "a top-level function": (module(f"def forward(self, x):\n    return {FOLLOWS}\n"), [None]),
}


def _sites(source: str) -> list[int]:
    regions = _Regions(source)
    found = call_sites(source, import_names(source))
    return [s for s in found if (i := regions.at(s)) < 0 or regions.formatted[i]]


def _piece_lines(source: str) -> list[str | None]:
    regions = _Regions(source)
    pieces = [method_piece(source, site, regions) for site in _sites(source)]
    return [None if p is None else source[p[0] : p[1]].split("\n")[0] for p in pieces]


@pytest.mark.parametrize("name", sorted(NARROWING))
def test_the_narrowing_takes_the_method_or_falls_back(name: str):
    source, expected = NARROWING[name]
    assert _piece_lines(source) == expected
    assert_sound(source)


def test_a_piece_ends_after_the_method():
    source = NARROWING["column-0 lines in strings of the method"][0]
    (site,) = _sites(source)
    piece = method_piece(source, site, _Regions(source))
    assert piece is not None
    assert source[piece[0] : piece[1]].endswith("        return y\n\n")


def test_a_piece_cut_inside_brackets_does_not_parse():
    source = NARROWING["a continuation at column 0 after the call"][0]
    (site,) = _sites(source)
    piece = method_piece(source, site, _Regions(source))
    assert piece is not None
    with pytest.raises(SyntaxError):
        ast.parse("class _:\n" + source[piece[0] : piece[1]])


# The engine reports these: the training flag is not the receiver's there.
NO_RECEIVER = [
    "a def nested in a method, its parameter shadows the receiver",
    "a lambda shadows the receiver",
    "the receiver rebound by a for loop",
    "the receiver rebound after the call",
    "a static method",
    "a class method after a multi-line decorator",
    "a static method before a multi-line decorator",
    "a static method in NFKC spelling",
    "a lone backslash makes a def nested",
]


@pytest.mark.parametrize("name", NO_RECEIVER)
def test_a_flag_of_no_receiver_stays_a_finding(name: str):
    source = NARROWING[name][0]
    assert check(source, SETTINGS, screens=False), "the case must hold a finding"
    assert text_screen(source).possible


# A top-level block that does not parse alone (a column-0 `@` inside brackets ends it
# early), around a method that does.
BLOCK_CUT_EARLY = in_a_class(
    f"    def forward(self, x):\n        return {FOLLOWS}\n\n"
    "    def other(self, x):\n        return (x\n@ x)\n"
)


def test_the_method_alone_clears_a_call_its_block_cannot():
    assert not check(BLOCK_CUT_EARLY, SETTINGS, screens=False)
    assert _piece_lines(BLOCK_CUT_EARLY) == ["    def forward(self, x):"]
    assert not text_screen(BLOCK_CUT_EARLY).possible  # the block alone says "maybe"
    assert_sound(BLOCK_CUT_EARLY)


# A call in a top-level function is in no class unless a class statement stands between the
# function's `def` and the call: such a call is cleared without parsing anything.
TOP_LEVEL_FUNCTION = module(
    "def attention(module, x):\n"
    "    y = F.dropout(x, training=module.training)\n"
    "    return (y\n@ y)\n"  # a column-0 `@` ends the block early: it cannot parse alone
)


def test_a_call_in_a_top_level_function_is_cleared_unparsed():
    assert not check(TOP_LEVEL_FUNCTION, SETTINGS, screens=False)
    assert not text_screen(TOP_LEVEL_FUNCTION).possible  # its block alone says "maybe"
    assert_sound(TOP_LEVEL_FUNCTION)


# --- where import targets rule calls out -------------------------------------------------

CLASS = "class A(nn.Module):\n    def forward(self, x):\n        return {call}\n"


def in_a_module(header: str, call: str) -> str:
    return "import torch\nfrom torch import nn\n" + header + "\n\n" + CLASS.format(call=call)


TARGET_LOOKALIKES = {
    "an ONNX symbolic from torch.onnx": in_a_module(
        "from torch.onnx import symbolic_opset12", "symbolic_opset12.dropout(g, x, p, train)"
    ),
    "an alias of another package's functional": in_a_module(
        "import my.functional as F", "F.dropout(x)"
    ),
    "a from-import of another package's functional": in_a_module(
        "from my.nn import functional as F", "F.dropout(x)"
    ),
    "a relative module named like torch": in_a_module(
        "from .torch.nn import functional as F", "F.dropout(x)"
    ),
    "a star import of another module": in_a_module("from numpy import *", "dropout(x, 0.1, False)"),
    "a function of the wrong module": in_a_module(
        "from torch.nn.functional import dropout as drop\nimport torch.nn.functional as F",
        "F.nn.dropout(x) + torch.functional.dropout(x) + nn.dropout(x)",
    ),
}


@pytest.mark.parametrize("name", sorted(TARGET_LOOKALIKES))
def test_import_targets_rule_lookalikes_out_without_libcst(name: str):
    source = TARGET_LOOKALIKES[name]
    assert not check(source, SETTINGS, screens=False)
    assert not text_screen(source).possible
    assert not screen(ast.parse(source)).suspicious  # the flake8 path: no libcst either
    assert prescreen(source) is None and prescreen(source, ast.parse(source)) is None
    assert_sound(source)


TARGET_FINDINGS = {
    "the torch root under another name": in_a_module(
        "import torch as t", "t.nn.functional.dropout(x)"
    ),
    "torch.nn under another name": in_a_module(
        "from torch import nn as n2", "n2.functional.dropout(x)"
    ),
    "a subscript in the chain": in_a_module("import torch as t", "t.nn[0].functional.dropout(x)"),
    "an ATen form": in_a_module("import torch as t", "t.dropout(x, 0.1, True)"),
    "a fallback binding in an except clause": in_a_module(
        "try:\n    import torch.nn.functional as F\nexcept ImportError:\n    F = None",
        "F.dropout(x)",
    ),
    "an import statement that cannot be parsed alone": in_a_module(
        'import torch.nn.functional as F; DOC = """\nimport numpy as F\n"""', "F.dropout(x)"
    ),
    "one name, two imports": in_a_module(
        "try:\n    import torch.nn.functional as F\nexcept ImportError:\n    import my.functional as F",
        "F.dropout(x)",
    ),
    "an import in a string too": in_a_module(
        "import torch.nn.functional as F\nS = 'import numpy as F'", "F.dropout(x)"
    ),
    "a from-import across a continuation": in_a_module(
        "from torch . nn \\\n    . functional import (  # a comment\n    dropout as d,\n)", "d(x)"
    ),
    "a star import of torch.nn.functional after code": in_a_module(
        "x = 1; from torch.nn.functional import *", "dropout(x)"
    ),
}


@pytest.mark.parametrize("name", sorted(TARGET_FINDINGS))
def test_import_targets_keep_what_the_engine_resolves(name: str):
    source = TARGET_FINDINGS[name]
    assert check(source, SETTINGS, screens=False), "the case must hold a finding"
    assert text_screen(source).possible
    assert screen(ast.parse(source)).suspicious
    assert_sound(source)


def test_a_rebound_alias_stays_sound():
    # The engine judges `F` by all its bindings (here: OTHER); the screens may keep it.
    source = in_a_module("import torch.nn.functional as F\nF = make()", "F.dropout(x)")
    assert not check(source, SETTINGS, screens=False)
    assert text_screen(source).possible  # an import target of F is torch.nn.functional
    assert_sound(source)


def test_import_names_reads_exact_targets():
    names = import_names(
        "import torch.nn.functional as F, os.path\nfrom torch import nn as n2, dropout\n"
        "from .. import x\nfrom .a import b\nfrom torch.nn.functional import *\n"
        "# import numpy as F\nimport broken as (B\n"
    )
    assert names.targets("F") == {"torch.nn.functional", "numpy"}
    assert names.targets("os") == {"os"}
    assert names.targets("n2") == {"torch.nn"}
    assert names.targets("dropout") == {"torch.dropout", "torch.nn.functional.dropout"}
    assert names.targets("x") == {"..x"} and names.targets("b") == {".a.b"}
    assert names.targets("B") is None and names.targets("broken") is None
    assert names.targets("unbound") == set()
    assert names.possible("F", ".dropout") and not names.possible("n2", ".dropout")
    assert names.possible("n2", ".functional.alpha_dropout")


# --- generated files ------------------------------------------------------------------------

IMPORTS = [
    "import torch\n",
    "import torch.nn as nn\n",
    "from torch import nn\n",
    "import torch.nn.functional as F\n",
    "from torch.nn import functional as F\n",
    "from torch.nn.functional import dropout as drop\n",
    "from torch.nn.functional import (\n    dropout2d,  # ) a comment\n    alpha_dropout as ad,\n)\n",
    "from torch.nn.functional import *\n",
    "from torch import \\\n    dropout\n",
    "import numpy as np\n",
]
CALLS = [
    "F.dropout(x)",
    "F.dropout(x, training=self.training)",
    "F.dropout(x, 0.1, self.training)",
    "F.dropout(x, training=True)",
    "nn.functional.dropout(x, p=0.1)",
    "torch.nn.functional.dropout2d(x)",
    "torch.dropout(x, 0.1, True)",
    "drop(x)",
    "ad(x)",
    "dropout2d(x)",
    "dropout(x, 0.1, False)",
    "(F.dropout)(x)",
    "(F.dropout  # c\n)(x)",
    "F.\\\n    dropout(x)",
    "(F\n.dropout)(x)",
    "np.dropout(x)",
    "self.dropout(x)",
    'f"{F.dropout(x)}"',
    "F.dropout(x, training=other.training)",
]
STRINGS = [
    '"""Doc."""',
    '"""\nclass Fake:\n    def forward(self, x):\n        return x\n"""',
    "'F.dropout(x)'",
    '"#"',
    "'''\ndef fake():\n'''",
    'r"\\""',
    "b'\\''",
    'f"{x!r:>{10}}"',
    '"""it\'s\nclass X: F.dropout(x)\n"""',
]
COMMENTS = ["# F.dropout(x)", "# class Fake:", "# '''", '# """']


@st.composite
def generated_source(draw) -> str:
    lines = draw(st.lists(st.sampled_from(IMPORTS), min_size=1, max_size=5))
    out = ["".join(lines), "\n"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["class", "nested", "def", "string", "comment", "if"]))
        call = draw(st.sampled_from(CALLS))
        filler = draw(st.sampled_from(STRINGS + COMMENTS))
        receiver = draw(st.sampled_from(["self", "this"]))
        decorator = draw(st.sampled_from(["", "    @staticmethod\n", "    @torch.no_grad()\n"]))
        body = (
            f"class M(nn.Module):\n    {filler}\n{decorator}"
            f"    def forward({receiver}, x):\n        {filler}\n        return {call}\n"
        )
        if kind == "class":
            out.append(body)
        elif kind == "nested":
            indented = "".join("    " + line + "\n" for line in body.splitlines())
            out.append(f"def outer():\n{indented}    return M\n")
        elif kind == "def":
            out.append(f"def helper(self, x):\n    return {call}\n")
        elif kind == "string":
            out.append(f"{filler}\n")
        elif kind == "comment":
            out.append(draw(st.sampled_from(COMMENTS)) + "\n")
        else:
            indented = "".join("    " + line + "\n" for line in body.splitlines())
            out.append(f"if torch:\n{indented}")
        out.append("\n")
    return "".join(out)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(generated_source())
def test_generated_files_are_screened_soundly(source: str):
    try:
        ast.parse(source)
    except SyntaxError:
        assume(False)
    assert_sound(source)


# --- the string and comment scanner against Python's tokenizer -----------------------------


def tokenizer_regions(source: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every string literal and comment, from `tokenize`."""
    offsets = [0]
    for line in io.StringIO(source).readlines():
        offsets.append(offsets[-1] + len(line))

    def at(position: tuple[int, int]) -> int:
        return offsets[position[0] - 1] + position[1]

    found = []
    depth = 0
    start = 0
    names = tokenize.tok_name
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind = names[token.type]
        if kind == "FSTRING_START":  # Python 3.12+: f-strings come in pieces
            if depth == 0:
                start = at(token.start)
            depth += 1
        elif kind == "FSTRING_END":
            depth -= 1
            if depth == 0:
                found.append((start, at(token.end)))
        elif depth == 0 and kind in ("STRING", "COMMENT"):
            found.append((at(token.start), at(token.end)))
    return found


def scanner_regions(source: str) -> list[tuple[int, int]]:
    regions = _regions(source)
    assert regions is not None
    return list(zip(regions.starts, regions.ends))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_scanner_finds_what_the_tokenizer_finds(path: Path):
    source = _read(path).replace("\r\n", "\n")
    assert scanner_regions(source) == tokenizer_regions(source)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_scan_stopped_early_answers_as_a_full_scan(path: Path):
    """The text screen scans strings only as far as it asks: every answer is a full scan's."""
    source = _read(path).replace("\r\n", "\n")
    full = _regions(source)
    assert full is not None
    offsets = sorted({*range(0, len(source) + 1, 97), *full.starts, *full.ends})
    lazy = _Regions(source)
    assert [lazy.at(o) for o in offsets] == [full.at(o) for o in offsets]
    early = _Regions(source)
    middle = len(source) // 2
    assert early.at(middle) == full.at(middle)
    # at most one region past the offset asked about: the rest of the file is not scanned
    assert len(early.starts) <= sum(start <= middle for start in full.starts) + 1


PIECES = [
    "x = ",
    "'a'",
    '"b"',
    "'''c\n'''",
    '"""d\n"""',
    "r'\\''",
    'rb"\\\\"',
    "f'{x}'",
    'f"{x!r:>{w}}"',
    "f'{{}}'",
    "F'{\"#\"}'",
    "u'é'",
    "'\\\n'",
    "# comment ' \"\n",
    "1 if'x'else 2",
    "(\n",
    ")\n",
    "\n",
    " + ",
    "y",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_the_scanner_agrees_on_generated_text(pieces: list[str]):
    source = "".join(pieces)
    try:
        ast.parse(source)
        expected = tokenizer_regions(source)
    except (SyntaxError, tokenize.TokenError):
        assume(False)
    assert scanner_regions(source) == expected


# --- NFKC: the quick test of the characters agrees with building the normal form ------------

#: ASCII the marks are written with, and characters NFKC changes: fullwidth letters, a
#: ligature, combining marks (U+0301, U+030C: `t` and U+030C are `ť`), spaces and `＊`.
NFKC_PIECES = [
    *("dropout", "torch", "drop", "out", "tor", "ch", "import", "x", "\\\n"),
    *" *\n",
    *"ｄｏｔｒｃｈｉｍﬁéó\u0301\u030c\u0338\u00a0\u3000＊㎗ǅ한—→\ud800",
    "\u1100\u1161",  # Hangul jamo that compose
]


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _marked_slowly(text: str, star_imports: bool) -> bool:
    """`text_may_hold_finding` as its docstring says: the marks, as written or in NFKC form."""
    return any(
        "dropout" in form and ("torch" in form or (star_imports and _STAR_IMPORT.search(form)))
        for form in (text, _normal(text))
    )


def _check_nfkc_agreement(text: str) -> None:
    for star_imports in (False, True):
        expected = _marked_slowly(text, star_imports)
        assert text_may_hold_finding(text, star_imports) == expected, (text, star_imports)
        if "\ud800" not in text:
            assert bytes_may_hold_finding(text.encode(), star_imports) == expected, text
    for words in (("dropout", "torch"), ("drop", "F", "nn")):
        expected = any(_normal(text).count(word) != text.count(word) for word in words)
        assert _spelled_otherwise(text, words) == expected, (text, words)


@pytest.mark.parametrize(
    "text",
    [
        "F.ｄropout(x)  # torch",
        "F.dropout(x)  # ｔorch",
        "F.dropout(x)  # torch é ó — →",
        "from m import\u3000＊\nF.dropout(x)",
        "from m import ＊\nF.dropout(x)",
        "F.dropout\u030c(x)  # torch",  # Python reads `dropouť`: spelled otherwise
        "F.drop\u0301out(x)  # torch",
        "F.dropout(x)  # ﬁ ㎗ torch",
    ],
)
def test_the_quick_nfkc_test_agrees_with_the_normal_form(text: str) -> None:
    _check_nfkc_agreement(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(NFKC_PIECES), max_size=14))
def test_the_quick_nfkc_test_agrees_on_generated_text(pieces: list[str]) -> None:
    _check_nfkc_agreement("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=20), st.sampled_from(["dropout", "torch"]))
def test_the_quick_nfkc_test_agrees_on_any_characters(text: str, mark: str) -> None:
    _check_nfkc_agreement(mark + text + mark[::-1] + text)


# --- the command line: a pool gives what a single process gives -----------------------------


def test_pool_and_serial_runs_agree(tmp_path: Path):
    for path in CORPUS:
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())

    def run(jobs: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "flake8_dropout", "--no-cache", "--jobs", jobs, "."]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)

    serial, pooled = run("1"), run("3")
    assert serial.returncode == pooled.returncode == 1
    assert serial.stdout == pooled.stdout and serial.stdout.count("DRP0") > 20
    assert serial.stderr == pooled.stderr


FOCUS_SOURCE = """import torch.nn.functional as F
from torch import nn


class Unrelated(nn.Module):
    def forward(self, x):
        return F.dropout(x, training=self.training)


@decorated
def helper(x):
    return F.dropout(x)


class Base(Mixin):
    def forward(self, x):
        return x


class Child(Base):
    def step(self, x):
        return F.dropout(x, 0.1)


F2 = F
"""


def test_a_verdict_reads_the_base_class_defined_elsewhere_in_the_file() -> None:
    from flake8_dropout.engine import check

    # Child is a module class only through Base's forward(): the verdict needs Base.
    findings = check(FOCUS_SOURCE, Settings())
    assert [(f.line, f.code.value) for f in findings] == [(22, "DRP001")]
    assert findings == check(FOCUS_SOURCE, Settings(), screens=False)


# Counterexamples found by fuzzing the screens against the engine, or by review (each fixed).
FUZZ_FOUND = {
    # str.splitlines() counts a form feed as a line break: `global F` was looked for on
    # the wrong line, `rebind` stubbed out, and F.dropout reported (F may be None).
    "focused_form_feed_line_numbers": "import torch.nn.functional as F\nfrom torch import nn\n\x0c\x0c\x0c\x0c\ndef rebind():\n    global F\n    F = None\nclass M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n",
    "aten_train_keyword": "import torch\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return torch.dropout(x, 0.5, training=self.training, train=True)\n",
    "chain_backslash_blank": "import torch\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return (torch.\n\\\n\nnn.functional.dropout(x))\n",
    "focused_alias_in_stubbed_def": "import torch\nimport torch.nn.functional.dropout as d\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return d(x)\ndef helper():\n    from mylib import dropout as d\n",
    "focused_starred_base": "import torch\nimport torch.nn.functional as F\nclass A(torch.nn.Module):\n    pass\nclass B(*A):\n    def forward(self, x):\n        return F.dropout(x)\n",
    "focused_stub_nfkc_name_extra": "import torch\nimport torch.nn.functional as Ｆ\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return Ｆ.dropout(x)\ndef Ｆ():\n    pass\n",
    "focused_stub_nfkc_name_lost": "import torch\nimport torch.nn.functional as F\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\ndef Ｆ():\n    pass\n",
    "nfkc_receiver": "import torch\nclass A(torch.nn.Module):\n    def forward(ｓelf, x):\n        return torch.nn.functional.dropout(x, training=self.training)\n",
    "nfkc_training_attr": "import torch\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return torch.nn.functional.dropout(x, training=self.ｔraining)\n",
    "nfkc_training_keyword": "import torch\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return torch.nn.functional.dropout(x, ｔraining=self.training)\n",
}


# `text_screen._passes_own_flag` clears a method's calls from their text when the
# receiver is only ever read as `self.x`: each of these must still be found.
OWN_FLAG_FOUND = {
    "positional True first": "return F.dropout(x, 0.5, True, training=self.training)",
    "aten train keyword": "return torch.dropout(x, 0.5, train=True, training=self.training)",
    "or chain": "return F.dropout(x, training=self.training or self.mc)",
    "other owner": "return F.dropout(x, training=other.training)",
    "comment hides a bracket": "return F.dropout(x,  # )\n            training=True)",
    "string holds a bracket": "return F.dropout(x, p=float(')'), training=True)",
    "loop rebinds": "for self in self.kids:\n            x = F.dropout(x, training=self.training)\n"
    "        return x",
    "import rebinds": "import self.sub\n        return F.dropout(x, training=self.training)",
    "nested class": "class In(nn.Module):\n            def forward(me, y):\n"
    "                return F.dropout(y, training=self.training)\n        return x",
    "lambda parameter": "f = lambda self: F.dropout(x, training=self.training)\n        return f(1)",
    "nested parameter": "def g(self):\n            return F.dropout(x, training=self.training)\n"
    "        return g(1)",
    "walrus in an f-string": "y = f'{(self := x)}'\n        return F.dropout(x, training=self.training)",
    "import under a comment": "import self.sub  # self-attention\n"
    "        return F.dropout(x, training=self.training)",
}


def _module_with(body: str, header: str = "def forward(self, x):") -> str:
    return (
        "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"
        f"class M(nn.Module):\n    {header}\n        {body}\n"
    )


@pytest.mark.parametrize("name", sorted(OWN_FLAG_FOUND))
def test_what_the_own_flag_text_test_must_leave_to_the_parse(name: str) -> None:
    source = _module_with(OWN_FLAG_FOUND[name])
    assert check(source, Settings(), screens=False), "each case holds a finding"
    assert_sound(source)


@pytest.mark.parametrize(
    "header",
    ["def forward(self, x):", "def forward(\n        self,\n        x,\n    ) -> Tensor:"],
)
def test_a_method_passing_its_own_flag_is_cleared_from_its_text(header: str) -> None:
    body = (
        '"""Self-attention: self and import, in words (a docstring is no code)."""\n'
        "        y = F.dropout(x, p=float(')'),  # a ( in a comment, self\n"
        "            training=self\n            .training)\n"
        "        return self.proj(y)"
    )
    source = _module_with(body, header)
    regions = _Regions(source)
    (site,) = _sites(source)
    piece = method_piece(source, site, regions)
    assert piece is not None and _passes_own_flag(source, piece, [site], regions)
    assert not text_screen(source).possible
    assert not check(source, Settings(), screens=False)
    # The same method once it also passes the receiver itself: left to the parse.
    passed_on = source.replace("self.proj(y)", "self.proj(self, y)")
    regions = _Regions(passed_on)
    piece = method_piece(passed_on, site, regions)
    assert piece is not None and not _passes_own_flag(passed_on, piece, [site], regions)
    assert not text_screen(passed_on).possible


@pytest.mark.parametrize("name", sorted(FUZZ_FOUND))
def test_fuzz_counterexamples_agree_with_the_engine(name: str) -> None:
    source = FUZZ_FOUND[name]
    assert check(source, Settings()) == check(source, Settings(), screens=False)
