"""The fixer acts on exactly the checker's findings.

The check drives the judge over `ast`, the fixer over libcst's tree (judge.py,
ast_judge.py, analysis.py). Over every case file, every fix fixture and
generated modules: the findings `fix_source` starts from are the ones `check`
reports, and what it rewrites is exactly those of them that the options allow
(safe, or unsafe with --unsafe-fixes; never `# noqa`, never a finding with no
fix). With the screens off, both drivers judge every call of the file.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from test_fix_properties import module_files

from flake8_dropout.engine import analyse_source, check
from flake8_dropout.fix import STYLES, fix_source
from flake8_dropout.noqa import is_suppressed
from flake8_dropout.rules import Applicability
from flake8_dropout.settings import Settings
from flake8_dropout.source import decode, split_lines

TESTS = Path(__file__).parent
SOURCES = sorted([*TESTS.glob("cases/*.py"), *TESTS.glob("fixes/*/before.py")])
SETTINGS = Settings()


def _assert_agreement(source: str) -> None:
    unscreened = check(source, SETTINGS, screens=False)
    assert unscreened == sorted(analyse_source(source, SETTINGS, screens=False).findings)
    findings = check(source, SETTINGS)
    lines = split_lines(source)
    for unsafe in (False, True):
        allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe else set())
        expected = [
            f
            for f in findings
            if f.applicability in allowed and not is_suppressed(lines[f.line - 1], f.code.value)
        ]
        for style in STYLES:
            result = fix_source(source, SETTINGS, unsafe=unsafe, style=style)
            assert result.found == findings
            assert result.fixed == expected
            assert (result.source != source) == bool(expected)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(TESTS)))
def test_fixer_acts_on_the_checkers_findings(path: Path) -> None:
    _assert_agreement(decode(path.read_bytes()).text)


def test_nfkc_receiver_beside_a_false_training():
    """The issue's example: the check reported 1 finding, the fix rewrote 2."""
    source = (
        "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
        "class M(nn.Module):\n"
        "    def forward(self, x):\n"
        "        x = F.dropout(x, 0.1, training=\uff53elf.training)\n"
        "        return F.dropout(x, 0.1, training=False)\n"
    )
    assert [f.line for f in check(source, SETTINGS)] == [8]
    result = fix_source(source, SETTINGS, unsafe=True)
    assert [f.line for f in result.fixed] == [8]
    assert "training=\uff53elf.training" in result.source  # the file's own spelling is kept
    compile(result.source, "<fixed>", "exec")
    _assert_agreement(source)


_METHOD = (
    "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
    "class M(nn.Module):\n    def forward(self, x):\n"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A class pattern's keyword attributes are a list of strings: the ast walk crashed.
        (
            "match x:\n    case int(real=y):\n        pass\nreturn F.dropout(x)",
            (10, 15, "DRP001 F.dropout()"),
        ),
        # `Ｔrue` is `True` to Python, but `ast` gives it as the name `True`, not a constant.
        (
            "return F.dropout(x, 0.1, training=\uff34rue)",
            (7, 15, "DRP002 F.dropout(..., training=True)"),
        ),
        # Columns count the file's characters, not the NFKC form's (`ﬁ` is two: `fi`).
        ("\ufb01 = F.dropout(x)", (7, 12, "DRP001 F.dropout()")),
        # The callee as written: brackets in its comments are text, a comment keeps its spelling.
        ("return (  # (\n    F.dropout)(x)", (7, 15, "DRP001 ( # ( F.dropout)()")),
        ("return (F.dropout  # )\n)(x)", (7, 15, "DRP001 (F.dropout # ) )()")),
        ("return (F  # \uff43\n    .dropout)(x)", (7, 15, "DRP001 (F # \uff43 .dropout)()")),
        # Node lists that start with None: `**d` has no key, `*, a` has no default.
        ("return {**x, F.dropout(x): 1}", (7, 21, "DRP001 F.dropout()")),
        ("def g(*, a, b=F.dropout(x)):\n    return b", (7, 22, "DRP001 F.dropout()")),
    ],
)
def test_where_the_trees_differ(body: str, expected: tuple[int, int, str]) -> None:
    """Shapes where `ast` and libcst differ: both drivers report what Python means."""
    source = _METHOD + textwrap.indent(body, " " * 8) + "\n"
    found = check(source, SETTINGS, screens=False)
    assert [(f.line, f.column, f.message[: len(expected[2])]) for f in found] == [expected]
    _assert_agreement(source)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module_files())
def test_generated_modules(source):
    _assert_agreement(source)
