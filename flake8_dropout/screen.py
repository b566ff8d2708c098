"""The `ast` screen: which calls may be findings, and where every candidate call stands.

flake8 hands over an `ast` tree for free, and the text screen parses a few
blocks: on either, this decides whether the judge is needed at all, and lists
the candidate calls in source order so that the fixer's positions come from
`ast` instead of from libcst's costly position metadata.

"Sound" means: if the judge (`engine.check(..., screens=False)`) would
report a call, the screen says "maybe" (see text_screen.py for the text level).
"""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import checks, semantics
from .rules import FUNCTION_NAMES, DropoutFunction
from .semantics import AST_SYNTAX, ast_args, ast_import_bindings, ast_parameters, chain, dotted

if TYPE_CHECKING:
    from .text_screen import ImportNames


# --- ast level ---------------------------------------------------------------------------


def _position_key(node: ast.expr) -> tuple[int, int, int, int]:
    # Source order, an enclosing call before a call that starts where it starts.
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)

# Fields that never hold a call or a binding: expression contexts and operators are nodes too.
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "type_comment", "kind"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Name: (), ast.Constant: ()}


def child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    """The fields of an `ast` node type that may hold nodes (the judge's `ast` driver too)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
    return fields


def _rebinds(function: ast.AST, name: str) -> bool:
    """Does anything in `function` but its own parameter bind `name`? (coarser than the judge)

    The judge (semantics.receiver_survives) drops the receiver where a binding
    in the method or in a scope around the call rebinds it; any binding anywhere
    in the method drops it here, so the screen never keeps a receiver the judge drops.
    One explicit-stack walk of every node (as `_collect`: far faster than `ast.walk`).
    """
    own = {id(parameter) for parameter in _own_parameters(function)}
    stack: list[ast.AST] = [function]
    pop, push = stack.pop, stack.append
    node_type = ast.AST
    fields_of = _CHILD_FIELDS
    while stack:
        node = pop()
        kind = type(node)
        if kind is ast.Name:
            if node.id == name and type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                return True
            continue
        if kind is ast.arg:
            if node.arg == name and id(node) not in own:  # type: ignore[attr-defined]
                return True
        elif kind is ast.alias:
            bound = node.asname or node.name.split(".", 1)[0]  # type: ignore[attr-defined]
            if bound == name:
                return True
        elif kind is ast.Global or kind is ast.Nonlocal:
            if name in node.names:  # type: ignore[attr-defined]
                return True
        elif name == getattr(node, "name", None) or name == getattr(node, "rest", None):
            return True  # def, class, except ... as, match captures
        fields = fields_of.get(kind)
        if fields is None:
            fields = child_fields(kind)
        for field_name in fields:
            value = getattr(node, field_name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return False


def _own_parameters(function: ast.AST) -> list[ast.arg]:
    args = function.args  # type: ignore[attr-defined]
    return [
        *args.posonlyargs,
        *args.args,
        *args.kwonlyargs,
        *(a for a in (args.vararg, args.kwarg) if a),
    ]


def _receivers(tree: ast.AST, calls: list[ast.Call]) -> dict[int, str | None]:
    """The receiver the judge sees at each call (judge.Walk.method_context).

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
        # belong to; only the body runs inside (as in the judge's drivers).
        if not holds_a_call(child):
            return
        if isinstance(child, ast.ClassDef):
            outside = [*child.decorator_list, *child.bases, *(k.value for k in child.keywords)]
            visit_all(outside, in_class_body, receiver)
            visit_all(child.body, True, None)
        elif isinstance(child, _FUNCTIONS):
            args = child.args
            positional, names = ast_parameters(args)
            if in_class_body:
                decorators = (dotted(AST_SYNTAX, d) for d in getattr(child, "decorator_list", ()))
                # No lambda counts as a method here: the judge takes only some
                # (`f = lambda self, x: ...`), so it never has a receiver this lacks.
                method = not isinstance(child, ast.Lambda)
                inner = semantics.receiver_of(positional, decorators, True, method)
                if inner is not None and _rebinds(child, inner):
                    inner = None
            else:
                inner = None if receiver in names else receiver
            header: list[ast.AST | None] = [
                *getattr(child, "decorator_list", ()),
                args,
                getattr(child, "returns", None),
            ]
            visit_all(header, in_class_body, receiver)
            body = child.body if isinstance(child.body, list) else [child.body]
            visit_all(body, False, inner)
        else:
            if id(child) in wanted:
                found[id(child)] = receiver
            visit(child, in_class_body, receiver)

    visit(tree, False, None)
    return found


def _reads_training(call: ast.Call, functions: list[DropoutFunction]) -> bool:
    """Could some receiver make the call's training argument follow the mode?"""
    args = ast_args(call)
    for function in functions:
        _, value = semantics.find_argument(args, function.training_keyword, function.training_index)
        if value is not None and semantics.training_owners(AST_SYNTAX, value):
            return True
    return False


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
            fields = child_fields(kind)
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
    """What the `ast` pass learned: whether the judge is needed, and call positions."""

    suspicious: bool
    candidates: list[ast.Call]  # every candidate-shaped call, in source order
    suspects: list[ast.Call] = field(default_factory=list)  # the calls that may be findings
    tree: ast.AST | None = None  # what was screened

    def position(self, ordinal: int) -> tuple[int, int]:
        """1-based line and 0-based UTF-8 byte column of the ordinal-th candidate."""
        node = self.candidates[ordinal]
        return node.lineno, node.col_offset


def screen(
    tree: ast.AST,
    names: ImportNames | None = None,
    lines: list[int] | None = None,
    stars: semantics.StarResolver | None = None,
) -> Screen:
    """Candidate calls (same shape rule as the engine) and suspicion, in one walk.

    The candidate list mirrors the libcst judge's ordinals, so the fixer's
    positions come from `ast` instead of from libcst's position metadata. `names`:
    the whole file's import names read from its text, when `tree` is one block
    of the file (imports elsewhere bind names here too). `lines`: only calls in
    statements that span one of these lines can matter (the text screen's sites).
    """
    calls, classes, imports = _collect(tree, lines)
    function_aliases: set[str] = set(names.aliases) if names else set()
    targets: dict[str, set[str]] = {}  # from the tree's imports: exact
    for node in imports:
        for bound, target in ast_import_bindings(node, stars):  # type: ignore[arg-type]
            targets.setdefault(bound, set()).add(target)
        if isinstance(node, ast.ImportFrom):
            aliases = [(alias.name, alias.asname) for alias in node.names]
            function_aliases.update(semantics.dropout_aliases(aliases))
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

    def functions_called(call: ast.Call) -> list[DropoutFunction]:
        """The dropout functions the judge may resolve this call to (semantics.qualify).

        The judge resolves names through import bindings only (see ImportNames):
        the tree's imports give their pairs exactly, and `names` (the whole
        file's, when `tree` is one block) a superset of the rest.
        """
        found = chain(AST_SYNTAX, call.func)
        if found is None:
            return []
        root, rest = found
        possible: set[str] | None = set(targets.get(root, ()))
        if names is not None:
            more = names.targets(root)
            possible = None if more is None else possible | more  # type: ignore[operator]
        return semantics.functions_named(rest, possible)

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

    def judged(call: ast.Call, functions: list[DropoutFunction], receiver: str | None) -> bool:
        """Would the judge give this call a code, as any of `functions`?"""
        args = ast_args(call)
        return any(
            checks.judge(AST_SYNTAX, args, function, receiver)[0] is not None
            for function in functions
        )

    # Guards are left to the judge: they only take findings away.
    checked: list[tuple[ast.Call, list[DropoutFunction]]] = []
    suspects: list[ast.Call] = []
    for call in candidates:
        if not in_a_class(call):
            continue
        functions = [f for f in functions_called(call) if judged(call, [f], None)]
        if not functions:
            continue  # not a dropout call, or one that no receiver could make a finding
        if _reads_training(call, functions):
            checked.append((call, functions))  # fine if it reads its receiver's flag
        else:
            suspects.append(call)
    if checked:
        receivers = _receivers(tree, [call for call, _ in checked])
        suspects += [
            call for call, functions in checked if judged(call, functions, receivers.get(id(call)))
        ]
    return Screen(bool(suspects), candidates, sorted(suspects, key=_position_key), tree)
