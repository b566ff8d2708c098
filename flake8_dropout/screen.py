"""Cheap, sound screens that keep libcst away from files that cannot hold a finding.

"Sound" means: if the libcst engine would report a call, the screens say
"maybe". They may say "maybe" too often, never too rarely; the test suite
checks that screens on and off give the same findings on every case file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .rules import FUNCTION_NAMES


def text_may_hold_finding(source: str) -> bool:
    """Every reported call names a dropout function and resolves through a torch import."""
    return "dropout" in source and "torch" in source


def _position_key(node: ast.expr) -> tuple[int, int, int, int]:
    # Source order, an enclosing call before a call that starts where it starts.
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _follows_some_training(node: ast.expr) -> bool:
    """`<name>.training`, or an `and` chain holding one: fine if the name is the receiver."""
    if isinstance(node, ast.Attribute):
        return node.attr == "training" and isinstance(node.value, ast.Name)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return any(_follows_some_training(value) for value in node.values)
    return False


def _training_value(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in ("training", "train"):
            return keyword.value
    if len(call.args) > 2 and not any(isinstance(a, ast.Starred) for a in call.args[:3]):
        return call.args[2]
    return None


@dataclass
class Screen:
    """What the `ast` pass learned: whether libcst is needed, and call positions."""

    suspicious: bool
    candidates: list[ast.Call]  # every candidate-shaped call, in source order

    def position(self, ordinal: int) -> tuple[int, int]:
        """1-based line and 0-based UTF-8 byte column of the ordinal-th candidate."""
        node = self.candidates[ordinal]
        return node.lineno, node.col_offset


def screen(tree: ast.AST) -> Screen:
    """One `ast.walk`: candidate calls (same shape rule as the engine) and suspicion.

    The candidate list mirrors the engine's ordinals, so positions come from
    `ast` for free instead of from libcst's costly position metadata.
    """
    name_calls: list[ast.Call] = []
    attribute_calls: list[ast.Call] = []
    function_aliases: set[str] = set()
    imported: set[str] = set()
    star_import = False
    class_ranges: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            if type(func) is ast.Name:
                name_calls.append(node)  # type: ignore[arg-type]
            elif type(func) is ast.Attribute and func.attr in FUNCTION_NAMES:
                attribute_calls.append(node)  # type: ignore[arg-type]
        elif kind is ast.ClassDef:
            class_ranges.append((node.lineno, node.end_lineno or node.lineno))  # type: ignore[attr-defined]
        elif kind is ast.Import:
            for alias in node.names:  # type: ignore[attr-defined]
                imported.add(alias.asname or alias.name.split(".", 1)[0])
        elif kind is ast.ImportFrom:
            for alias in node.names:  # type: ignore[attr-defined]
                if alias.name == "*":
                    star_import = True
                    continue
                bound = alias.asname or alias.name
                imported.add(bound)
                if alias.name in FUNCTION_NAMES:
                    function_aliases.add(bound)
    call_names = FUNCTION_NAMES | function_aliases
    candidates = attribute_calls + [c for c in name_calls if c.func.id in call_names]  # type: ignore[attr-defined]
    candidates.sort(key=_position_key)

    def may_resolve_to_torch(call: ast.Call) -> bool:
        root = _root_name(call.func)
        if root is None:
            return False
        if isinstance(call.func, ast.Name) and star_import:
            return True
        return root in imported

    def in_a_class(call: ast.Call) -> bool:
        return any(start <= call.lineno <= end for start, end in class_ranges)

    suspicious = any(
        may_resolve_to_torch(call)
        and in_a_class(call)
        and not ((value := _training_value(call)) is not None and _follows_some_training(value))
        for call in candidates
    )
    return Screen(suspicious, candidates)
