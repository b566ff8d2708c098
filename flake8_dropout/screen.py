"""The `ast` screen: which calls may be findings, and where every candidate call stands.

flake8 hands over an `ast` tree for free, and the text screen parses a few
blocks: on either, this decides whether libcst is needed at all, and lists the
candidate calls in source order so that positions come from `ast` instead of
from libcst's costly position metadata.

"Sound" means: if the libcst engine (`engine.check(..., screens=False)`) would
report a call, the screen says "maybe" (see text_screen.py for the text level).
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .rules import FUNCTION_NAMES, FUNCTIONS

if TYPE_CHECKING:
    from .text_screen import ImportNames


def may_name_a_function(targets: Iterable[str] | None, rest: str) -> bool:
    """Some target + `rest` is a key of rules.FUNCTIONS (None: any target)."""
    return targets is None or any(target + rest in FUNCTIONS for target in targets)


def star_pairs(prefix: str):
    for name in FUNCTION_NAMES:
        yield name, f"{prefix}.{name}"


def import_pairs(node: ast.Import | ast.ImportFrom):
    """(bound name, target) of one import statement, as analysis._Collector binds them."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:
                yield alias.asname, alias.name
            else:
                head = alias.name.split(".", 1)[0]
                yield head, head
        return
    prefix = "." * node.level + (node.module or "")
    joiner = "" if prefix.endswith(".") else "."
    for alias in node.names:
        if alias.name == "*":
            if prefix == "torch.nn.functional":
                yield from star_pairs(prefix)
            continue
        yield alias.asname or alias.name, f"{prefix}{joiner}{alias.name}"


# --- ast level ---------------------------------------------------------------------------


def _position_key(node: ast.expr) -> tuple[int, int, int, int]:
    # Source order, an enclosing call before a call that starts where it starts.
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


def _chain_of(node: ast.expr) -> tuple[str, str] | None:
    """(first name, the rest) of a dotted chain, through subscripts as analysis.qualify reads it.

    `t.nn[0].functional.dropout` gives ("t", ".nn.functional.dropout").
    """
    rest = []
    while True:
        if isinstance(node, ast.Attribute):
            rest.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    if not isinstance(node, ast.Name):
        return None
    return node.id, "".join("." + part for part in reversed(rest))


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
    if any(keyword.arg == "train" for keyword in call.keywords):
        return None  # an ATen form judges `train=`, whatever `training=` says
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


# Fields that never hold a call: expression contexts and operators are nodes too.
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "type_comment", "kind"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Name: (), ast.Constant: ()}


def _collect(
    tree: ast.AST, lines: list[int] | None = None
) -> tuple[list[ast.Call], list[ast.ClassDef], list[ast.stmt]]:
    """Calls, classes and imports: an explicit stack, about twice as fast as `ast.walk`.

    `lines`: sorted line numbers; statements that span none of them are skipped
    (with their decorators: a call inside spans its own line).
    """
    calls: list[ast.Call] = []
    classes: list[ast.ClassDef] = []
    imports: list[ast.stmt] = []
    stack: list[ast.AST] = [tree]
    pop, push = stack.pop, stack.append
    node_type = ast.AST
    fields_of = _CHILD_FIELDS
    statement = ast.stmt
    while stack:
        node = pop()
        kind = type(node)
        if lines is not None and isinstance(node, statement):
            first = node.lineno
            decorators = getattr(node, "decorator_list", None)
            if decorators:
                first = min(first, decorators[0].lineno)
            index = bisect.bisect_left(lines, first)
            if index == len(lines) or lines[index] > (node.end_lineno or first):
                continue
        if kind is ast.Call:
            calls.append(node)  # type: ignore[arg-type]
        elif kind is ast.ClassDef:
            classes.append(node)  # type: ignore[arg-type]
        elif kind is ast.Import or kind is ast.ImportFrom:
            imports.append(node)  # type: ignore[arg-type]
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return calls, classes, imports


@dataclass
class Screen:
    """What the `ast` pass learned: whether libcst is needed, and call positions."""

    suspicious: bool
    candidates: list[ast.Call]  # every candidate-shaped call, in source order
    suspects: list[ast.Call] = field(default_factory=list)  # the calls that may be findings
    tree: ast.AST | None = None  # what was screened
    stubbed: frozenset[int] = frozenset()  # ids of `tree` nodes engine.focused cut out

    def position(self, ordinal: int) -> tuple[int, int]:
        """1-based line and 0-based UTF-8 byte column of the ordinal-th candidate."""
        node = self.candidates[ordinal]
        return node.lineno, node.col_offset


def screen(
    tree: ast.AST, names: ImportNames | None = None, lines: list[int] | None = None
) -> Screen:
    """Candidate calls (same shape rule as the engine) and suspicion, in one walk.

    The candidate list mirrors the engine's ordinals, so positions come from
    `ast` for free instead of from libcst's costly position metadata. `names`:
    the whole file's import names read from its text, when `tree` is one block
    of the file (imports elsewhere bind names here too). `lines`: only calls in
    statements that span one of these lines can matter (the text screen's sites).
    """
    calls, classes, imports = _collect(tree, lines)
    function_aliases: set[str] = set(names.aliases) if names else set()
    targets: dict[str, set[str]] = {}  # from the tree's imports: exact
    for node in imports:
        for bound, target in import_pairs(node):  # type: ignore[arg-type]
            targets.setdefault(bound, set()).add(target)
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in FUNCTION_NAMES:
                    function_aliases.add(alias.asname or alias.name)
    call_names = FUNCTION_NAMES | function_aliases
    candidates = []
    for call in calls:
        func = call.func
        kind = type(func)
        if (kind is ast.Attribute and func.attr in FUNCTION_NAMES) or (  # type: ignore[attr-defined]
            kind is ast.Name and func.id in call_names  # type: ignore[attr-defined]
        ):
            candidates.append(call)
    candidates.sort(key=_position_key)
    class_ranges = [(c.lineno, c.end_lineno or c.lineno) for c in classes]

    def may_resolve_to_torch(call: ast.Call) -> bool:
        """Some import target of the chain's first name + the rest is a dropout function.

        The engine resolves names through import bindings only (see
        ImportNames): the tree's imports give their pairs exactly, and `names`
        (the whole file's, when `tree` is one block) a superset of the rest.
        """
        chain = _chain_of(call.func)
        if chain is None:
            return False
        root, rest = chain
        if may_name_a_function(targets.get(root, ()), rest):
            return True
        return names is not None and names.possible(root, rest)

    # Class line ranges merged into disjoint spans: "in some class" by bisection.
    spans: list[list[int]] = []
    for start, end in sorted(class_ranges):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    span_starts = [start for start, _ in spans]

    def in_a_class(call: ast.Call) -> bool:
        index = bisect.bisect_right(span_starts, call.lineno) - 1
        return index >= 0 and call.lineno <= spans[index][1]

    # A call is harmless only if it reads `.training` from its method's receiver.
    checked: list[tuple[ast.Call, set[str]]] = []
    suspects: list[ast.Call] = []
    for call in candidates:
        if not (may_resolve_to_torch(call) and in_a_class(call)):
            continue
        value = _training_value(call)
        found = _training_names(value) if value is not None else set()
        if found:
            checked.append((call, found))
        else:
            suspects.append(call)
    if checked:
        receivers = _receivers(tree, [call for call, _ in checked])
        suspects += [call for call, found in checked if receivers.get(id(call)) not in found]
    return Screen(bool(suspects), candidates, sorted(suspects, key=_position_key), tree)
