"""The judge, written once for both trees: frames, bindings, guards, and the verdict.

A driver walks one tree in source order and tells a `Walk` what each node does
(binds names, opens a class or a function, guards what follows with a
`self.training` test, calls something); `judge_calls` then resolves every
candidate call and gives it its code. The `ast` driver (ast_judge.py) serves
the check, the libcst driver (analysis.py) the fixer, which needs libcst's tree:
the check never imports libcst. What names, the receiver and `training` mean is
in semantics.py, each code's check in checks.py. tests/test_check_fix_agreement.py
runs both drivers on every case file, fixture and generated module: they must
find the same calls.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from . import checks, semantics
from .rules import FUNCTION_NAMES, FUNCTIONS, Code, DropoutFunction
from .semantics import OTHER, ArgShape, Binding, Defined, Scope, Syntax, Target
from .settings import Settings

E = TypeVar("E")

# Dotted prefixes whose classes are never nn.Module subclasses.
_NOT_MODULE_PREFIXES = (
    "builtins.",
    "typing.",
    "typing_extensions.",
    "abc.",
    "enum.",
    "collections.",
    "dataclasses.",
)
_AUTOGRAD_FUNCTIONS = frozenset(
    {
        "torch.autograd.Function",
        "torch.autograd.function.Function",
        "torch.autograd.function.InplaceFunction",
    }
)
_SCRIPT_MODULES = frozenset({"torch.jit.ScriptModule", "torch.jit.RecursiveScriptModule"})
# Capitalised names under torch.nn that are not layers.
_NN_NON_MODULES = frozenset(
    {"Parameter", "UninitializedParameter", "Buffer", "UninitializedBuffer"}
)


class Kind(enum.Enum):
    MODULE = "module"
    NOT_MODULE = "not-module"
    UNKNOWN = "unknown"  # a base we cannot see: a forward() makes it a module
    FUNCTION = "autograd-function"


@dataclass(eq=False)
class FunctionInfo:
    node: Any  # the driver's tree: a function definition or a lambda
    scope: Scope  # the function's own scope
    params: frozenset[str]
    receiver: str | None  # first parameter of a method; None for static/class methods
    is_lambda: bool = False
    decorators: tuple[str | None, ...] = ()  # dotted names (None: not a dotted name)


@dataclass(eq=False)
class ClassInfo(Defined):
    node: Any  # the driver's class definition
    scope: Scope  # where the class statement stands
    order: int
    defines_forward: bool
    bases: list[Any] = field(default_factory=list)  # base expressions (not keywords)
    kind: Kind | None = None
    methods: list[FunctionInfo] = field(default_factory=list)  # functions of its body

    def names_in(self, function: Any) -> set[str]:
        """Every name `function` (one of the methods) binds, nested scopes included."""
        for method in self.methods:
            if method.node is function:
                return method.scope.names_within()
        return set()


@dataclass(frozen=True, eq=False)
class Context:
    scope: Scope
    klass: ClassInfo | None  # nearest enclosing class, when the call is in one of its functions
    method: FunctionInfo | None
    receiver: str | None  # as written: the method's first parameter, unless shadowed
    guards: tuple[Scope, ...]  # where each `self.training` test around the call is read


@dataclass(eq=False)
class Site:
    """A reported call, with what the fixer needs to rewrite it."""

    node: Any  # the driver's call node
    ordinal: int  # index among all candidate-shaped calls, in source order
    code: Code
    function: DropoutFunction
    klass: ClassInfo
    method: FunctionInfo
    receiver: str | None
    training: Any  # the `training` argument's value (libcst: its Arg, see analysis.py)
    scope: Scope  # innermost scope of the call


@dataclass
class Analysis:
    sites: list[Site]
    classes: list[ClassInfo]
    module_scope: Scope
    candidate_count: int


class Walk(Generic[E]):
    """What the driver has told so far: scopes, frames, guards and candidate calls."""

    def __init__(
        self,
        syntax: Syntax[E],
        arguments: Callable[[Any], list[ArgShape[E]]],
        stars: semantics.StarResolver | None = None,
    ) -> None:
        self.syntax = syntax
        self.arguments = arguments  # a call node's arguments, in source order
        self.stars = stars
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope
        self.function_aliases: set[str] = set()  # `from ... import dropout as drop`
        self.except_depth = 0
        # Scopes of the `if self.training:`-like tests around us.
        self.guards: list[Scope] = []
        self.saved_guards: list[list[Scope]] = []
        self.guarded_statements: dict[int, Scope] = {}
        # Frames: ClassInfo or FunctionInfo, innermost last.
        self.frames: list[ClassInfo | FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.calls: list[tuple[Any, E, str | None, Context]] = []
        # Lambdas of a class body that are methods: `f = lambda self, x: ...`, property(lambda ...).
        self.method_lambdas: set[int] = set()

    # -- bindings, as Python binds names ----------------------------------------------------

    def bind(
        self, name: str, target: Target = OTHER, parameter: bool = False, star: bool = False
    ) -> None:
        self.scope.bind(name, Binding(target, self.except_depth > 0, parameter, star))

    def bind_all(self, names: Iterable[str]) -> None:
        for name in names:
            self.bind(name)

    def imported(
        self, module: str | None, level: int, aliases: Sequence[tuple[str, str | None]]
    ) -> None:
        """`import a.b as c` (module None, level 0) or `from module import name as alias`."""
        if module is not None or level:
            self.function_aliases.update(semantics.dropout_aliases(aliases))
        for bound, target in semantics.import_bindings(module, level, aliases):
            self.bind(bound, target)

    def star_imported(self, module: str | None, level: int) -> None:
        found = semantics.star_bindings(module, level, self.stars)
        bindings, complete = found if found is not None else ([], False)
        self.scope.star_imports += 1
        if not complete:
            self.scope.unknown_star_import = True
        for bound, target in bindings:
            self.bind(bound, target, star=True)

    def declared(self, names: Iterable[str], is_global: bool) -> None:
        for name in names:
            self.scope.declare(name, is_global)

    def walrus(self, names: Iterable[str]) -> None:
        """`:=` in a comprehension binds in the enclosing function (PEP 572)."""
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        for name in names:
            scope.bind(name, Binding(OTHER, self.except_depth > 0))

    # A comprehension's variables are its own: `[dropout(h) for dropout in self.drops]`.
    def enter_comprehension(self) -> None:
        self.scope = Scope("comprehension", self.scope)

    def leave_comprehension(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def enter_handler(self, names: Iterable[str]) -> None:
        """An `except` clause: its fallbacks (`F = None`) do not hide the body's import."""
        self.except_depth += 1
        self.bind_all(names)

    def leave_handler(self) -> None:
        self.except_depth -= 1

    # -- guards: where a `self.training` test guards what runs (never a function defined there)

    def enter_statement(self, statement: Any) -> None:
        if id(statement) in self.guarded_statements:
            self.guards.append(self.guarded_statements[id(statement)])

    def leave_statement(self, statement: Any) -> None:
        if id(statement) in self.guarded_statements:
            self.guards.pop()

    def implies_training(self, test: E, negated: bool = False) -> bool:
        """Can `test` (`negated`: `not test`) be true only while the module trains?"""
        receiver = self.receiver()
        if negated:
            return semantics.negation_implies_training(self.syntax, test, receiver)
        return semantics.implies_training(self.syntax, test, receiver)

    def guard(self, test: E, negated: bool = False) -> bool:
        """Entering the body (or, `negated`, the else branch) of an `if` on `test`."""
        return self.guard_when(self.implies_training(test, negated))

    def guard_when(self, holds: bool) -> bool:
        """Entering code that runs only when a test that `holds` implies training was true."""
        if holds:
            self.guards.append(self.scope)
        return holds

    def unguard(self, pushed: bool) -> None:
        if pushed:
            self.guards.pop()

    def block(self, statements: Sequence[Any], exit_test: Callable[[Any], E | None]) -> None:
        """`if not self.training: return x` guards the rest of the same body.

        `exit_test(statement)`: the test of an `if` whose body ends in a return,
        raise, continue or break.
        """
        receiver = self.receiver()
        if receiver is None:
            return
        for i, statement in enumerate(statements):
            test = exit_test(statement)
            if test is not None and semantics.negation_implies_training(
                self.syntax, test, receiver
            ):
                self.guarded_statements.update((id(s), self.scope) for s in statements[i + 1 :])
                return

    def _enter_deferred(self) -> None:
        self.saved_guards.append(self.guards)
        self.guards = []

    def _leave_deferred(self) -> None:
        self.guards = self.saved_guards.pop()

    # -- frames: classes and the functions of their bodies -----------------------------------

    def method_context(self) -> tuple[ClassInfo | None, FunctionInfo | None, str | None]:
        """Nearest class, its method that encloses us, and the receiver name."""
        for i in range(len(self.frames) - 1, -1, -1):
            frame = self.frames[i]
            if isinstance(frame, ClassInfo):
                if i + 1 == len(self.frames):
                    return None, None, None  # directly in the class body
                method = self.frames[i + 1]
                assert isinstance(method, FunctionInfo)
                receiver = method.receiver
                for inner in self.frames[i + 2 :]:
                    if receiver is not None and receiver in inner.params:  # type: ignore[union-attr]
                        receiver = None  # shadowed by a nested function's parameter
                return frame, method, receiver
        return None, None, None

    def receiver(self) -> str | None:
        return self.method_context()[2]

    def in_class_body(self) -> bool:
        return bool(self.frames) and isinstance(self.frames[-1], ClassInfo)

    def class_defined(
        self, node: Any, name: str, bases: list[E], defines_forward: bool
    ) -> ClassInfo:
        """A class statement: its name is bound where it stands (before its body is entered)."""
        info = ClassInfo(node, self.scope, len(self.classes), defines_forward, bases)
        self.classes.append(info)
        self.bind(name, info)
        return info

    # Decorators and bases run outside the class: its frame covers the body only.
    def enter_class_body(self, info: ClassInfo) -> None:
        self.frames.append(info)
        self.scope = Scope("class", self.scope)
        self._enter_deferred()

    def leave_class_body(self) -> None:
        self.frames.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent
        self._leave_deferred()

    # Decorators and defaults run outside the function: its frame covers the body only.
    def enter_function(
        self,
        node: Any,
        positional: list[str],
        names: list[str],
        decorators: Iterable[str | None],
        is_lambda: bool,
    ) -> None:
        """A function's body: `positional` and `names` (all its parameters) are bound."""
        decorators = tuple(decorators)
        # A lambda elsewhere in the class body (staticmethod(lambda x: ...), a dict of
        # lambdas) is not a method: its first parameter is not the module.
        receiver = semantics.receiver_of(
            positional,
            decorators,
            in_class_body=self.in_class_body(),
            method=not is_lambda or id(node) in self.method_lambdas,
        )
        self.scope = Scope("function", self.scope)
        for name in names:
            self.bind(name, parameter=True)
        info = FunctionInfo(node, self.scope, frozenset(names), receiver, is_lambda, decorators)
        if self.in_class_body():
            self.frames[-1].methods.append(info)  # type: ignore[union-attr]
        self.frames.append(info)
        self._enter_deferred()

    def leave_function(self) -> None:
        self._leave_deferred()
        self.frames.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def assigned_lambda(self, value: Any, is_lambda: bool) -> None:
        """`name = lambda self, x: ...` in a class body defines a method."""
        if is_lambda and self.in_class_body():
            self.method_lambdas.add(id(value))

    def call(self, node: Any, func: E, lambdas: Iterable[Any] = ()) -> None:
        """A call: a candidate if shaped like one (`name(...)`, `x.dropout(...)`).

        `lambdas`: its lambda arguments (`property(lambda self: ...)` defines a method).
        """
        name = self.syntax.name(func)
        if name == "property" and self.in_class_body():
            self.method_lambdas.update(id(each) for each in lambdas)
        if name is None:
            found = self.syntax.attribute(func)
            if found is None or found[1] not in FUNCTION_NAMES:
                return
        klass, method, receiver = self.method_context()
        context = Context(self.scope, klass, method, receiver, tuple(self.guards))
        self.calls.append((node, func, name, context))


def _between(scope: Scope, top: Scope) -> list[Scope]:
    """The scopes from `scope` up to `top`, `top` left out."""
    found = []
    while scope is not top and scope.parent is not None:
        found.append(scope)
        scope = scope.parent
    return found


def receiver_at(context: Context) -> str | None:
    """The receiver at a call, if it is surely the module there (see semantics.receiver_survives)."""
    receiver, method = context.receiver, context.method
    if receiver is None or method is None:
        return None
    inner = _between(context.scope, method.scope)
    return receiver if semantics.receiver_survives(receiver, method.scope, inner) else None


def _guarded(context: Context) -> bool:
    """Does a `self.training` test around the call read the module's own flag?"""
    receiver, method = context.receiver, context.method
    if receiver is None or method is None:
        return False
    return any(
        semantics.receiver_survives(receiver, method.scope, _between(scope, method.scope))
        for scope in context.guards
    )


class Classifier:
    """Decides which classes are module classes (SPEC 1, "Where").

    `syntax`: the tree the classes' bases are read in (not needed by `name_kind`).
    """

    def __init__(self, settings: Settings, syntax: Syntax[Any] | None = None) -> None:
        self.bases = settings.module_bases
        self.project = settings.project  # bases in other files of the project, if known
        self.syntax = syntax

    def kind(self, info: ClassInfo) -> Kind:
        if info.kind is None:
            info.kind = Kind.UNKNOWN  # guards against cycles
            info.kind = self._compute(info)
        return info.kind

    def _compute(self, info: ClassInfo) -> Kind:
        kinds = {self._base_kind(base, info) for base in info.bases}
        if Kind.MODULE in kinds:
            return Kind.MODULE
        if Kind.FUNCTION in kinds:
            return Kind.FUNCTION
        if Kind.UNKNOWN in kinds:
            return Kind.MODULE if info.defines_forward else Kind.UNKNOWN
        return Kind.NOT_MODULE

    def _base_kind(self, expr: Any, info: ClassInfo) -> Kind:
        assert self.syntax is not None  # classes come from a walk, which has one
        target = semantics.qualify(self.syntax, expr, info.scope.resolve)
        if isinstance(target, ClassInfo):
            return self.kind(target) if target.order < info.order else Kind.UNKNOWN
        if isinstance(target, str):
            return self.name_kind(target)
        return Kind.UNKNOWN

    def name_kind(self, name: str) -> Kind:
        if self._configured(name):
            return Kind.MODULE
        if name in _AUTOGRAD_FUNCTIONS:
            return Kind.FUNCTION
        if name in _SCRIPT_MODULES:
            return Kind.MODULE
        if name.startswith("torch."):
            parts = name.split(".")
            last = parts[-1]
            # Private layer bases count too: `_DropoutNd`, `_ConvNd`, `_Loss`, ...
            is_class = last.lstrip("_")[:1].isupper()
            is_layer = "nn" in parts[:-1] and is_class and last not in _NN_NON_MODULES
            return Kind.MODULE if is_layer else Kind.NOT_MODULE
        if name.startswith(_NOT_MODULE_PREFIXES):
            return Kind.NOT_MODULE
        found = self.project.lookup(name) if self.project is not None else None
        return found.kind if found is not None else Kind.UNKNOWN

    def _configured(self, name: str) -> bool:
        if name in self.bases:
            return True
        relative = name.lstrip(".")
        last = name.rsplit(".", 1)[-1]
        for entry in self.bases:
            if "." not in entry and entry == last:
                return True
            if relative != name and (entry == relative or entry.endswith("." + relative)):
                return True
        return False


def judge_calls(walk: Walk[Any], settings: Settings) -> Analysis:
    """Every reported call of a finished walk: resolution runs after it, so a name is
    judged by every binding of its scope, wherever it stands."""
    walk.module_scope.settle()
    classifier = Classifier(settings, walk.syntax)
    names = FUNCTION_NAMES | walk.function_aliases
    sites: list[Site] = []
    ordinal = -1
    for node, func, name, context in walk.calls:
        if name is not None and name not in names:
            continue
        ordinal += 1
        if context.klass is None or context.method is None or _guarded(context):
            continue
        target = semantics.qualify(walk.syntax, func, context.scope.resolve)
        function = FUNCTIONS.get(target) if isinstance(target, str) else None
        if function is None or classifier.kind(context.klass) is not Kind.MODULE:
            continue
        receiver = receiver_at(context)
        code, training = checks.judge(walk.syntax, walk.arguments(node), function, receiver)
        if code is not None:
            sites.append(
                Site(
                    node,
                    ordinal,
                    code,
                    function,
                    context.klass,
                    context.method,
                    receiver,
                    training,
                    context.scope,
                )
            )
    return Analysis(sites, walk.classes, walk.module_scope, ordinal + 1)
