"""What code means, written once for every stage: names, bindings, receivers, `training`.

The judge (judge.py, driven over `ast` or libcst's tree), the `ast` screen
(screen.py), the text screen (text_screen.py, which parses import statements
with `ast`) and the fixer all read Python through these rules, so a screen can
only be less precise than the judge, never different from it. The rules are
written against `Syntax`, a handful of questions about an expression that each
tree answers in a few lines (`AST_SYNTAX` here; libcst's in analysis.py, which
alone of the judge's modules imports libcst).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Optional, Protocol, TypeVar, Union

from .rules import FUNCTION_NAMES, FUNCTIONS, DropoutFunction

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)

BUILTIN_NAMES = frozenset(dir(builtins))
STATIC_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "builtins.staticmethod", "builtins.classmethod"}
)


class Syntax(Protocol[E]):
    """The few questions the rules ask about an expression node of one tree."""

    def name(self, expr: E) -> str | None:
        """The identifier of a plain name."""

    def attribute(self, expr: E) -> tuple[E, str] | None:
        """(value, attribute) of `value.attribute`."""

    def subscripted(self, expr: E) -> E | None:
        """`value` of `value[...]`."""

    def boolean(self, expr: E) -> tuple[str, list[E]] | None:
        """("and" | "or", operands) of a boolean operation."""

    def negated(self, expr: E) -> E | None:
        """The operand of `not operand`."""

    def is_true(self, expr: E) -> bool:
        """Is it the literal `True`?"""


class _AstSyntax:
    def name(self, expr: ast.expr) -> str | None:
        return expr.id if type(expr) is ast.Name else None

    def attribute(self, expr: ast.expr) -> tuple[ast.expr, str] | None:
        return (expr.value, expr.attr) if type(expr) is ast.Attribute else None

    def subscripted(self, expr: ast.expr) -> ast.expr | None:
        return expr.value if type(expr) is ast.Subscript else None

    def boolean(self, expr: ast.expr) -> tuple[str, list[ast.expr]] | None:
        if type(expr) is ast.BoolOp:
            return ("and" if type(expr.op) is ast.And else "or"), expr.values
        return None

    def negated(self, expr: ast.expr) -> ast.expr | None:
        if type(expr) is ast.UnaryOp and type(expr.op) is ast.Not:
            return expr.operand
        return None

    def is_true(self, expr: ast.expr) -> bool:
        # `Ｔrue` is `True` to Python (NFKC) but `ast` gives it as a name, not a constant.
        kind = type(expr)
        return (kind is ast.Constant and expr.value is True) or (  # type: ignore[attr-defined]
            kind is ast.Name and expr.id == "True"  # type: ignore[attr-defined]
        )


AST_SYNTAX: Syntax[ast.expr] = _AstSyntax()


# -- dotted names ---------------------------------------------------------------------------


def dotted(syntax: Syntax[E], expr: E) -> str | None:
    """`a.b.c` as text; None for anything else (a call, a subscript, ...)."""
    parts = []
    while (found := syntax.attribute(expr)) is not None:
        expr, attr = found
        parts.append(attr)
    head = syntax.name(expr)
    if head is None:
        return None
    return ".".join([head, *reversed(parts)])


def chain(syntax: Syntax[E], expr: E) -> tuple[str, str] | None:
    """(first name, the rest) of a dotted chain read through subscripts.

    `t.nn[0].functional.dropout` gives ("t", ".nn.functional.dropout"): how a
    base `Generic[T]` or a call `nn[0].functional.dropout` is resolved.
    """
    parts = []
    while True:
        if (found := syntax.attribute(expr)) is not None:
            expr, attr = found
            parts.append(attr)
        elif (inner := syntax.subscripted(expr)) is not None:
            expr = inner
        else:
            break
    head = syntax.name(expr)
    if head is None:
        return None
    return head, "".join("." + part for part in reversed(parts))


def qualify(
    syntax: Syntax[E], expr: E, resolve: Callable[[str], Target | None]
) -> str | Defined | None:
    """What a dotted expression names: the import target of its first name + the rest.

    `resolve(name)` gives a binding's target (see Scope.resolve); a target that
    is not a string (a class of the file) stands for itself when nothing follows.
    """
    found = chain(syntax, expr)
    if found is None:
        return None
    root, rest = found
    target = resolve(root)
    if isinstance(target, str):
        return target + rest
    if isinstance(target, Defined):
        return target if not rest else None
    return None


def may_name_a_function(targets: Iterable[str] | None, rest: str) -> bool:
    """Some target + `rest` is a key of rules.FUNCTIONS (None: any target)."""
    return targets is None or any(target + rest in FUNCTIONS for target in targets)


def functions_named(rest: str, targets: Iterable[str] | None) -> list[DropoutFunction]:
    """The dropout functions a call `root<rest>(...)` may be, `root` bound to one of `targets`."""
    if targets is not None:
        return [FUNCTIONS[t + rest] for t in targets if t + rest in FUNCTIONS]
    last = rest.rsplit(".", 1)[-1]
    return [f for f in FUNCTIONS.values() if f.name == last]


# -- bindings and scopes --------------------------------------------------------------------


class _Other:
    """A binding that is not an import (assignment, def, parameter, ...)."""

    def __repr__(self) -> str:
        return "OTHER"


OTHER = _Other()
UNBOUND = None  # what Scope.resolve gives for a free name


class Defined:
    """A class defined in the file (analysis.ClassInfo): a name may be bound to it."""


#: What a binding binds a name to: an import target ("torch.nn.functional"), a class
#: of the file, or OTHER (an assignment, a def, a parameter, ...).
Target = Union[str, Defined, _Other]


@dataclass(frozen=True)
class Binding:
    target: Target
    in_except: bool = False  # `except ImportError: F = None` fallbacks do not hide the import
    parameter: bool = False
    star: bool = False  # bound by a `from M import *`


@dataclass(eq=False)
class Scope:
    """Names bound in one Python scope, each with every binding seen (like pyflakes')."""

    kind: str  # "module" | "class" | "function" | "comprehension"
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    unknown_star_import: bool = False
    star_imports: int = 0  # `from M import *` statements here
    # `global x`: bindings of x here belong to the module's scope.
    declared: dict[str, Scope] = field(default_factory=dict)
    # `nonlocal x`: bindings of x here belong to the nearest enclosing function that
    # binds x, known once the whole file is read (`settle`).
    nonlocals: dict[str, list[Binding]] = field(default_factory=dict)
    children: list[Scope] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.parent is not None:
            self.parent.children.append(self)

    def bind(self, name: str, binding: Binding) -> None:
        if name in self.nonlocals:
            self.nonlocals[name].append(binding)
            return
        owner = self.declared.get(name, self)
        owner.bindings.setdefault(name, []).append(binding)

    def declare(self, name: str, is_global: bool) -> None:
        """`global name` / `nonlocal name`: the name lives in the module or an enclosing function."""
        if is_global:
            self.declared[name] = self.module()
        else:
            self.nonlocals.setdefault(name, [])

    def _nonlocal_owner(self, name: str) -> Scope | None:
        """The nearest enclosing function that binds `name` itself (as Python resolves `nonlocal`)."""
        scope = self.parent
        while scope is not None and scope.parent is not None:
            if scope.kind == "function" and name in scope.bindings and name not in scope.nonlocals:
                return scope
            scope = scope.parent
        return None

    def settle(self) -> None:
        """Move the bindings made through `nonlocal` to their owners, here and below."""
        for name, bindings in self.nonlocals.items():
            owner = self._nonlocal_owner(name)
            if owner is not None:
                owner.bindings[name].extend(bindings)
        for child in self.children:
            child.settle()

    def defining(self, name: str) -> Scope | None:
        """The scope whose binding `name` means here (class bodies are not seen from inside)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if name in scope.declared:
                return scope.declared[name]
            if name in scope.nonlocals:
                return scope._nonlocal_owner(name)
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope
            first = False
            scope = scope.parent
        return None

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def resolve(self, name: str) -> Target | None:
        """What `name` means here: an import target, a class of the file, OTHER or None."""
        owner = self.defining(name)
        if owner is not None and name in owner.bindings:
            return owner.target(name)
        if self.module().unknown_star_import:
            return UNBOUND if name not in BUILTIN_NAMES else f"builtins.{name}"
        return f"builtins.{name}" if name in BUILTIN_NAMES else UNBOUND

    def target(self, name: str) -> Target:
        """The one target all of this scope's bindings of `name` agree on, else OTHER."""
        bindings = self.bindings[name]
        chosen = [b.target for b in bindings if not b.in_except] or [b.target for b in bindings]
        first = chosen[0]
        return first if all(t is first or t == first for t in chosen) else OTHER

    def names_within(self) -> set[str]:
        """Every name bound here or in a scope nested in this one."""
        names = set(self.bindings)
        for child in self.children:
            names |= child.names_within()
        return names


def import_bindings(
    module: str | None, level: int, aliases: Sequence[tuple[str, str | None]]
) -> Iterator[tuple[str, str]]:
    """(bound name, target) of an import; `module` None for `import a.b as c, d`.

    aliases: (imported name, `as` name). A star import binds through
    `star_bindings`, not here.
    """
    if module is None and level == 0:
        for name, asname in aliases:
            if asname is not None:
                yield asname, name
            else:
                head = name.split(".", 1)[0]
                yield head, head
        return
    prefix = "." * level + (module or "")
    joiner = "" if prefix.endswith(".") else "."
    for name, asname in aliases:
        if name != "*":
            yield asname or name, f"{prefix}{joiner}{name}"


class StarExports(Protocol):
    """What a star import binds (star_imports.Exports): name -> origin, None if unknown."""

    complete: bool  # False: it may bind names not listed too

    def items(self) -> Iterable[tuple[str, str | None]]: ...


#: `(module, level) -> StarExports | None`: reads the imported module's source (the
#: command line's project view); None where no other file may be read (flake8).
StarResolver = Callable[[Optional[str], int], Optional[StarExports]]


def star_bindings(
    module: str | None, level: int, stars: StarResolver | None = None
) -> tuple[list[tuple[str, Target]], bool] | None:
    """(bindings, complete) of `from module import *`; None: it may bind anything.

    A name whose origin is unknown is bound to OTHER: it names nothing we know.
    """
    if level == 0 and module == "torch.nn.functional":
        return [(name, f"{module}.{name}") for name in FUNCTION_NAMES], True
    found = stars(module, level) if stars is not None else None
    if found is None:
        return None
    return [(name, OTHER if origin is None else origin) for name, origin in found.items()], (
        found.complete
    )


def dropout_aliases(aliases: Sequence[tuple[str, str | None]]) -> Iterator[str]:
    """Names `from ... import dropout as drop` binds to a dropout function's name."""
    for name, asname in aliases:
        if name in FUNCTION_NAMES:
            yield asname or name


def ast_import_bindings(
    node: ast.Import | ast.ImportFrom, stars: StarResolver | None = None
) -> Iterator[tuple[str, str]]:
    """The (name, import target) pairs of an `ast` import statement, star bindings included."""
    if isinstance(node, ast.Import):
        yield from import_bindings(None, 0, [(a.name, a.asname) for a in node.names])
        return
    aliases = [(a.name, a.asname) for a in node.names]
    yield from import_bindings(node.module, node.level, aliases)
    if any(name == "*" for name, _ in aliases):
        found = star_bindings(node.module, node.level, stars)
        for name, target in found[0] if found is not None else ():
            if isinstance(target, str):
                yield name, target


# -- the receiver -------------------------------------------------------------------------


def receiver_of(
    positional: Sequence[str], decorators: Iterable[str | None], in_class_body: bool, method: bool
) -> str | None:
    """A method's receiver: its first positional parameter, unless static or a class method.

    `method` is False for a lambda of a class body that is not one (a dict of
    lambdas, `staticmethod(lambda x: ...)`).
    """
    if not (positional and in_class_body and method):
        return None
    if STATIC_DECORATORS.intersection(d for d in decorators if d):
        return None
    return positional[0]


def receiver_survives(name: str, method: Scope, inner: Sequence[Scope]) -> bool:
    """Is `name` still the method's receiver here? Not if anything but the parameter binds it.

    `inner`: the scopes between the call and the method (nested functions,
    lambdas, comprehensions). Python binds per scope, not per statement: a
    `for self in self.children()` anywhere in the method makes `self` there a
    local that is not always the module.
    """
    # `global self` makes it the module's; `nonlocal self` keeps the method's, whose
    # bindings then hold what the nested scope assigns (Scope.settle).
    if any(name in scope.bindings or name in scope.declared for scope in inner):
        return False
    bindings = method.bindings.get(name, ())
    return name not in method.declared and all(b.parameter for b in bindings)


# -- the `training` argument ----------------------------------------------------------------


@dataclass(frozen=True)
class ArgShape(Generic[E_co]):
    """One argument of a call, as the rules see it."""

    keyword: str | None
    star: str  # "", "*" or "**"
    value: E_co


def find_argument(args: Sequence[ArgShape[E]], keyword: str, index: int) -> tuple[str, E | None]:
    """Locate an argument: ("found", value), ("missing", None) or ("hidden", None).

    Hidden: a `*args` before its position or a `**kwargs` may hold it.
    """
    position = 0
    hidden = False
    positions_known = True
    for arg in args:
        if arg.keyword is not None:
            if arg.keyword == keyword:
                return "found", arg.value
        elif arg.star == "**":
            hidden = True
        elif arg.star == "*":
            positions_known = False
        elif positions_known:
            if position == index:
                return "found", arg.value
            position += 1
    return ("hidden" if hidden or not positions_known else "missing"), None


def is_training_attribute(syntax: Syntax[E], expr: E, receiver: str | None) -> bool:
    found = syntax.attribute(expr)
    return (
        receiver is not None
        and found is not None
        and found[1] == "training"
        and syntax.name(found[0]) == receiver
    )


def implies_training(syntax: Syntax[E], expr: E, receiver: str | None) -> bool:
    """True when `expr` can only be true while the module is training."""
    if is_training_attribute(syntax, expr, receiver):
        return True
    operation = syntax.boolean(expr)
    if operation is not None:
        operator, operands = operation
        return operator == "and" and any(implies_training(syntax, e, receiver) for e in operands)
    operand = syntax.negated(expr)
    return operand is not None and negation_implies_training(syntax, operand, receiver)


def negation_implies_training(syntax: Syntax[E], expr: E, receiver: str | None) -> bool:
    """True when `not expr` can only be true while the module is training."""
    operand = syntax.negated(expr)
    if operand is not None:
        return implies_training(syntax, operand, receiver)
    operation = syntax.boolean(expr)
    if operation is not None:
        operator, operands = operation
        return operator == "or" and any(
            negation_implies_training(syntax, e, receiver) for e in operands
        )
    return False


def training_owners(syntax: Syntax[E], expr: E) -> set[str]:
    """The receivers for which `expr` implies training (`implies_training` is true)."""
    owners: set[str] = set()
    todo = [expr]
    while todo:
        current = todo.pop()
        found = syntax.attribute(current)
        if found is not None:
            owner = syntax.name(found[0])
            if found[1] == "training" and owner is not None:
                owners.add(owner)
            continue
        operation = syntax.boolean(current)
        if operation is not None:
            todo.extend(operation[1])
        elif (operand := syntax.negated(current)) is not None:
            todo.append(operand)
    return {owner for owner in owners if implies_training(syntax, expr, owner)}


def ast_parameters(args: ast.arguments) -> tuple[list[str], list[str]]:
    """(positional parameter names, every parameter name) of a `def` or `lambda`."""
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    names = [*positional, *(a.arg for a in args.kwonlyargs)]
    names.extend(star.arg for star in (args.vararg, args.kwarg) if star is not None)
    return positional, names


def ast_args(call: ast.Call) -> list[ArgShape[ast.expr]]:
    """A call's arguments in source order, as `find_argument` reads them.

    `ast` keeps positional arguments and keywords apart; in valid Python every
    positional argument (starred or not) comes before the first keyword, and a
    `**mapping` only among keywords, so this order equals the source order for
    everything `find_argument` asks.
    """
    shapes: list[ArgShape[ast.expr]] = []
    for arg in call.args:
        if type(arg) is ast.Starred:
            shapes.append(ArgShape(None, "*", arg.value))
        else:
            shapes.append(ArgShape(None, "", arg))
    for keyword in call.keywords:
        shapes.append(ArgShape(keyword.arg, "" if keyword.arg else "**", keyword.value))
    return shapes
