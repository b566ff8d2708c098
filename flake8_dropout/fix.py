"""Findings -> fixed source: one libcst transformation per file (work in progress)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .engine import Finding
from .settings import Settings


@dataclass
class FixResult:
    source: str  # the fixed text; identical to the input when nothing changed
    fixed: list[Finding] = field(default_factory=list)  # findings this run rewrote


def fix_source(
    source: str,
    settings: Settings,
    *,
    unsafe: bool = False,
    style: str = "layer",
    selected: Callable[[str], bool] = lambda code: True,
) -> FixResult:
    """Rewrite every fixable, selected, non-noqa finding of `source`.

    style: "layer" (registered nn.Dropout layers, argument form as fallback) or
    "argument" (always `training=self.training` in place). Raises SourceError.
    """
    return FixResult(source)
