"""One check function per code, next to the code it proves with VALID and INVALID examples.

A check looks at one dropout call as the judge sees it (`JudgedCall`: which
function, where its `training` argument is, what the receiver is) and says
whether its code applies; the checks are mutually exclusive. The examples are
method bodies of a module class (see `example_module`);
tests/test_rule_examples.py runs each through the real check and the flake8
plugin. Adding a code: a row in rules.py (`Code`, `FIX_APPLICABILITY`,
`message`), a check here, its documentation in rule_docs.py (the README
paragraph), and a case file in tests/cases/.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .rules import Code, DropoutFunction
from .semantics import ArgShape, Syntax, find_argument, implies_training

E = TypeVar("E")


@dataclass(frozen=True)
class JudgedCall(Generic[E]):
    """A call of a dropout function in a method of a module class."""

    syntax: Syntax[E]
    function: DropoutFunction
    status: str  # where `training` is: "found", "missing" or "hidden" (semantics.find_argument)
    training: E | None  # its value, when found
    receiver: str | None  # the method's receiver, when it is surely the module


@dataclass(frozen=True)
class Check:
    code: Code
    # Generic over the tree (libcst for the judge, `ast` for the screen): any E.
    applies: Callable[[JudgedCall[Any]], bool]
    valid: tuple[str, ...]  # method bodies with no finding
    invalid: tuple[str, ...]  # method bodies with one finding of `code`


CHECKS: list[Check] = []


def check(code: Code, *, valid: tuple[str, ...], invalid: tuple[str, ...]):
    """Register a check function for `code` with its examples."""

    def register(applies: Callable[[JudgedCall[Any]], bool]) -> Callable[[JudgedCall[Any]], bool]:
        CHECKS.append(Check(code, applies, valid, invalid))
        return applies

    return register


def judge(
    syntax: Syntax[E],
    args: Sequence[ArgShape[E]],
    function: DropoutFunction,
    receiver: str | None,
) -> tuple[Code | None, E | None]:
    """The code a call deserves (None: correct or cannot be seen) and its training value."""
    status, value = find_argument(args, function.training_keyword, function.training_index)
    if status == "hidden":
        return None, None
    call = JudgedCall(syntax, function, status, value, receiver)
    codes = [c.code for c in CHECKS if c.applies(call)]
    assert len(codes) <= 1, codes  # the checks are mutually exclusive
    return (codes[0] if codes else None), value


def example_module(body: str) -> str:
    """The file an example body is checked in."""
    return (
        "import torch\n"
        "import torch.nn.functional as F\n"
        "from torch import nn\n\n\n"
        "class Block(nn.Module):\n"
        "    def forward(self, x):\n"
        f"        {body}\n"
    )


@check(
    Code.MISSING,
    valid=(
        "return F.dropout(x, 0.1, self.training)",
        "return F.dropout(x, **self.dropout_kwargs)",
        "return torch.dropout(x, 0.1)",  # ATen forms require `train`: this fails, never drops
    ),
    invalid=(
        "return F.dropout(x, 0.1)",
        "return F.dropout2d(x, p=0.2, inplace=True)",
        "return F.alpha_dropout(x, 0.1)",  # never active: the default is False
    ),
)
def training_missing(call: JudgedCall[E]) -> bool:
    """The default applies: `True` for F.dropout and friends, `False` for the alpha forms."""
    return call.status == "missing" and call.function.training_default is not None


@check(
    Code.LITERAL_TRUE,
    valid=("return F.dropout(x, 0.1, training=self.training)",),
    invalid=(
        "return F.dropout(x, 0.1, training=True)",
        "return F.dropout(x, 0.1, True)",
        "return torch.dropout(x, 0.1, train=True)",
    ),
)
def training_true(call: JudgedCall[E]) -> bool:
    return call.training is not None and call.syntax.is_true(call.training)


@check(
    Code.NOT_MODE,
    valid=(
        "return F.dropout(x, 0.1, training=self.training)",
        "return F.dropout(x, 0.1, training=self.training and self.use_dropout)",
        "return F.dropout(x, 0.1, training=not (not self.training))",
        "return torch.dropout(x, 0.1, train=self.training)",
    ),
    invalid=(
        "return F.dropout(x, 0.1, training=False)",
        "return F.dropout(x, 0.1, training=self.training or self.mc)",
        "return F.dropout(x, 0.1, training=not self.training)",
        "return F.dropout(x, 0.1, training=self.is_training)",
        "return [F.dropout(x, training=self.training) for self in self.blocks]",
    ),
)
def training_not_mode(call: JudgedCall[E]) -> bool:
    """Anything but the receiver's own flag (or an `and` chain that holds it)."""
    value = call.training
    return (
        value is not None
        and not call.syntax.is_true(value)
        and not implies_training(call.syntax, value, call.receiver)
    )
