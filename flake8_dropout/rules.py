"""The one table of what is checked: dropout functions, codes and messages.

Everything that names a function, a layer or a code reads it from here, so the
engine, the fixer, the front ends and the README cannot drift apart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class DropoutFunction:
    """A functional dropout and the layer that replaces it."""

    qualified_name: str
    training_default: bool | None  # None: the argument is required (ATen forms)
    layer: str | None  # class name under torch.nn; None: fixed in place only
    training_keyword: str = "training"
    training_index: int = 2  # position of `training` among the arguments

    @property
    def name(self) -> str:
        return self.qualified_name.rsplit(".", 1)[1]


_F = "torch.nn.functional."

FUNCTIONS: dict[str, DropoutFunction] = {
    f.qualified_name: f
    for f in (
        DropoutFunction(_F + "dropout", True, "Dropout"),
        DropoutFunction(_F + "dropout1d", True, "Dropout1d"),
        DropoutFunction(_F + "dropout2d", True, "Dropout2d"),
        DropoutFunction(_F + "dropout3d", True, "Dropout3d"),
        DropoutFunction(_F + "alpha_dropout", False, "AlphaDropout"),
        DropoutFunction(_F + "feature_alpha_dropout", False, "FeatureAlphaDropout"),
        # ATen forms: `train` is a required third argument.
        DropoutFunction("torch.dropout", None, "Dropout", "train"),
        DropoutFunction("torch.alpha_dropout", None, "AlphaDropout", "train"),
        # No layer computes exactly `feature_dropout` for every input rank.
        DropoutFunction("torch.feature_dropout", None, None, "train"),
        DropoutFunction("torch.feature_alpha_dropout", None, "FeatureAlphaDropout", "train"),
    )
}

#: Every last name a dropout call can end in: the cheap screens look for these.
FUNCTION_NAMES: frozenset[str] = frozenset(f.name for f in FUNCTIONS.values())


class Code(str, enum.Enum):
    """Finding codes. The value is what flake8 and the CLI print."""

    MISSING = "DRP001"
    LITERAL_TRUE = "DRP002"
    NOT_MODE = "DRP003"


class Applicability(str, enum.Enum):
    """When the fixer may apply a fix (ruff's vocabulary)."""

    SAFE = "safe"  # applied by --fix
    UNSAFE = "unsafe"  # applied by --fix --unsafe-fixes
    NONE = "none"  # reported, never rewritten


FIX_APPLICABILITY: dict[Code, Applicability] = {
    Code.MISSING: Applicability.SAFE,
    Code.LITERAL_TRUE: Applicability.UNSAFE,
    Code.NOT_MODE: Applicability.UNSAFE,
}

_ALWAYS = "is always active, even after model.eval()"
_NEVER = "is never active, even in training"


def message(code: Code, function: DropoutFunction, written: str) -> str:
    """The text after the code: what happens at run time, then what to do."""
    follow = f"pass {function.training_keyword}=self.training"
    advice = f"use an nn.{function.layer} layer or {follow}" if function.layer else follow
    if code is Code.MISSING:
        effect = _ALWAYS if function.training_default else _NEVER
        return f"{code.value} {written}() without training= {effect}; {advice}"
    if code is Code.LITERAL_TRUE:
        keyword = function.training_keyword
        return f"{code.value} {written}(..., {keyword}=True) {_ALWAYS}; {advice}"
    return (
        f"{code.value} {written}() {function.training_keyword}= does not follow "
        f"the module's train/eval mode; {advice}"
    )
