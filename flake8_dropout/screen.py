"""Cheap, sound screens that keep libcst away from files that cannot hold a finding.

"Sound" means: if the libcst engine would report a call, the screens say
"maybe". They may say "maybe" too often, never too rarely; the test suite
checks that screens on and off give the same findings on every case file.
"""

from __future__ import annotations

import ast
import bisect
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


def _training_names(node: ast.expr) -> set[str]:
    """Names `n` of `n.training` in `node` or in an `and` chain: fine if one is the receiver."""
    if isinstance(node, ast.Attribute):
        if node.attr == "training" and isinstance(node.value, ast.Name):
            return {node.value.id}
        return set()
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return set().union(*(_training_names(value) for value in node.values))
    return set()


def _training_value(call: ast.Call) -> ast.expr | None:
    """The argument the engine judges as `training` (analysis.find_argument, index 2).

    Non-starred positional arguments always come before keywords in the source, so
    the third one wins when it is there. ATen's `train=` keyword is not looked up:
    such a call stays suspicious, and the engine decides.
    """
    if len(call.args) > 2 and not any(isinstance(a, ast.Starred) for a in call.args[:3]):
        return call.args[2]
    for keyword in call.keywords:
        if keyword.arg == "training":
            return keyword.value
    return None


_STATIC_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "builtins.staticmethod", "builtins.classmethod"}
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _receivers(tree: ast.AST, calls: list[ast.Call]) -> dict[int, str | None]:
    """The receiver the engine sees at each call (analysis._Collector._method_context).

    A method's receiver is its first positional parameter (none in a static or
    class method); nested functions and lambdas keep it unless a parameter of
    theirs shadows it. Only subtrees holding one of `calls` are walked.
    """
    wanted = {id(call) for call in calls}
    lines = sorted({call.lineno for call in calls})
    found: dict[int, str | None] = {}

    def holds_a_call(node: ast.AST) -> bool:
        start = getattr(node, "lineno", None)
        if start is None:
            return True
        for decorator in getattr(node, "decorator_list", ()):
            start = min(start, decorator.lineno)
        index = bisect.bisect_left(lines, start)
        return index < len(lines) and lines[index] <= (node.end_lineno or start)  # type: ignore[attr-defined]

    def visit(node: ast.AST, in_class_body: bool, receiver: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            visit_node(child, in_class_body, receiver)

    def visit_all(nodes: list, in_class_body: bool, receiver: str | None) -> None:
        for node in nodes:
            if node is not None:
                visit_node(node, in_class_body, receiver)

    def visit_node(child: ast.AST, in_class_body: bool, receiver: str | None) -> None:
        # Decorators, bases and defaults run outside the class or function they
        # belong to; only the body runs inside (as in analysis._Collector).
        if not holds_a_call(child):
            return
        if isinstance(child, ast.ClassDef):
            outside = [*child.decorator_list, *child.bases, *(k.value for k in child.keywords)]
            visit_all(outside, in_class_body, receiver)
            visit_all(child.body, True, None)
        elif isinstance(child, _FUNCTIONS):
            args = child.args
            positional = [a.arg for a in (*args.posonlyargs, *args.args)]
            if in_class_body:
                decorators = {_dotted(d) for d in getattr(child, "decorator_list", ())}
                static = bool(decorators & _STATIC_DECORATORS)
                inner = positional[0] if positional and not static else None
            else:
                names = {*positional, *(a.arg for a in args.kwonlyargs)}
                names.update(star.arg for star in (args.vararg, args.kwarg) if star)
                inner = None if receiver in names else receiver
            outside = [*getattr(child, "decorator_list", ()), args, getattr(child, "returns", None)]
            visit_all(outside, in_class_body, receiver)
            body = child.body if isinstance(child.body, list) else [child.body]
            visit_all(body, False, inner)
        else:
            if id(child) in wanted:
                found[id(child)] = receiver
            visit(child, in_class_body, receiver)

    visit(tree, False, None)
    return found


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

    # A call is harmless only if it reads `.training` from its method's receiver.
    checked: list[tuple[ast.Call, set[str]]] = []
    suspicious = False
    for call in candidates:
        if not (may_resolve_to_torch(call) and in_a_class(call)):
            continue
        value = _training_value(call)
        names = _training_names(value) if value is not None else set()
        if not names:
            suspicious = True
            break
        checked.append((call, names))
    if not suspicious and checked:
        receivers = _receivers(tree, [call for call, _ in checked])
        suspicious = any(receivers.get(id(call)) not in names for call, names in checked)
    return Screen(suspicious, candidates)
