"""The judge: one libcst pass that finds functional dropout calls ignoring eval().

The pass collects bindings (`_Bindings`), guards (`_Guards`), and classes,
methods and candidate calls (`_Collector`); resolution runs after it, so a name
is judged by every binding of its scope, wherever it stands. What names, the
receiver and `training` mean is written once in semantics.py, each code's check
in checks.py. No libcst metadata providers are used: a small scope table does
the job at a fraction of their cost (see README, "Speed"). engine.py is the
pipeline that calls this only when the screens find a possible finding.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from . import checks, semantics
from .rules import FUNCTION_NAMES, FUNCTIONS, Code, DropoutFunction
from .semantics import OTHER, UNBOUND, ArgShape, Binding, Defined, Scope, Syntax, Target
from .settings import Settings

__all__ = ["OTHER", "UNBOUND", "Scope"]  # the binding model lives in semantics.py

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


class _CstSyntax:
    """libcst's answers to semantics.Syntax."""

    def name(self, expr: cst.BaseExpression) -> str | None:
        return expr.value if isinstance(expr, cst.Name) else None

    def attribute(self, expr: cst.BaseExpression) -> tuple[cst.BaseExpression, str] | None:
        return (expr.value, expr.attr.value) if isinstance(expr, cst.Attribute) else None

    def subscripted(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        return expr.value if isinstance(expr, cst.Subscript) else None

    def boolean(self, expr: cst.BaseExpression) -> tuple[str, list[cst.BaseExpression]] | None:
        if isinstance(expr, cst.BooleanOperation):
            operator = "and" if isinstance(expr.operator, cst.And) else "or"
            return operator, [expr.left, expr.right]
        return None

    def negated(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            return expr.expression
        return None

    def is_true(self, expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value == "True"


CST_SYNTAX: Syntax[cst.BaseExpression] = _CstSyntax()


class Kind(enum.Enum):
    MODULE = "module"
    NOT_MODULE = "not-module"
    UNKNOWN = "unknown"  # a base we cannot see: a forward() makes it a module
    FUNCTION = "autograd-function"


@dataclass(eq=False)
class ClassInfo(Defined):
    node: cst.ClassDef
    scope: Scope  # where the class statement stands
    order: int
    defines_forward: bool
    kind: Kind | None = None
    methods: list[FunctionInfo] = field(default_factory=list)  # functions of its body

    def names_in(self, function: cst.FunctionDef | None) -> set[str]:
        """Every name `function` (one of the methods) binds, nested scopes included."""
        for method in self.methods:
            if method.node is function:
                return method.scope.names_within()
        return set()


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef | cst.Lambda
    scope: Scope  # the function's own scope
    params: frozenset[str]
    receiver: str | None  # first parameter of a method; None for static/class methods


@dataclass(frozen=True, eq=False)
class _Context:
    scope: Scope
    klass: ClassInfo | None  # nearest enclosing class, when the call is in one of its functions
    method: FunctionInfo | None
    receiver: str | None  # as written: the method's first parameter, unless shadowed
    guards: tuple[Scope, ...]  # where each `self.training` test around the call is read


@dataclass(eq=False)
class Site:
    """A reported call, with what the fixer needs to rewrite it."""

    node: cst.Call
    ordinal: int  # index among all candidate-shaped calls, in source order
    code: Code
    function: DropoutFunction
    klass: ClassInfo
    method: FunctionInfo
    receiver: str | None
    training: cst.Arg | None
    scope: Scope  # innermost scope of the call


@dataclass
class Analysis:
    sites: list[Site]
    classes: list[ClassInfo]
    module_scope: Scope
    candidate_count: int


def dotted(node: cst.BaseExpression) -> str | None:
    return semantics.dotted(CST_SYNTAX, node)


def target_names(node: cst.BaseExpression) -> list[str]:
    """Names an assignment target binds (`a`, `a, (b, *c)`), not attributes."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for el in node.elements for n in target_names(el.value)]
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


def implies_training(expr: cst.BaseExpression, receiver: str | None) -> bool:
    return semantics.implies_training(CST_SYNTAX, expr, receiver)


def negation_implies_training(expr: cst.BaseExpression, receiver: str | None) -> bool:
    return semantics.negation_implies_training(CST_SYNTAX, expr, receiver)


_EXITS = (cst.Return, cst.Raise, cst.Continue, cst.Break)


def _ends_in_exit(body: cst.BaseSuite) -> bool:
    statements: Sequence[cst.CSTNode] = body.body
    if isinstance(body, cst.IndentedBlock):
        if not statements or not isinstance(statements[-1], cst.SimpleStatementLine):
            return False
        statements = statements[-1].body
    return bool(statements) and isinstance(statements[-1], _EXITS)


def cst_args(args: Sequence[cst.Arg]) -> list[ArgShape[cst.BaseExpression]]:
    return [ArgShape(a.keyword.value if a.keyword else None, str(a.star), a.value) for a in args]


def _arg_of(args: Sequence[cst.Arg], value: cst.BaseExpression | None) -> cst.Arg | None:
    return next((arg for arg in args if arg.value is value), None)


def find_argument(args: Sequence[cst.Arg], keyword: str, index: int) -> tuple[str, cst.Arg | None]:
    """Locate an argument: ("found", arg), ("missing", None) or ("hidden", None)."""
    status, value = semantics.find_argument(cst_args(args), keyword, index)
    return status, _arg_of(args, value)


def judge(
    args: Sequence[cst.Arg], function: DropoutFunction, receiver: str | None
) -> tuple[Code | None, cst.Arg | None]:
    """The code a call deserves (None: correct or cannot be seen) and its training arg."""
    judged = checks.judge(CST_SYNTAX, cst_args(args), function, receiver)
    code, value = judged
    return code, _arg_of(args, value)


class _Bindings(cst.CSTVisitor):
    """Scopes and what each name is bound to (semantics.Scope), as Python binds them."""

    def __init__(self, stars: semantics.StarResolver | None = None) -> None:
        self.stars = stars
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope
        self.function_aliases: set[str] = set()  # `from ... import dropout as drop`
        self.except_depth = 0

    def _bind(
        self, name: str, target: Target = OTHER, parameter: bool = False, star: bool = False
    ) -> None:
        self.scope.bind(name, Binding(target, self.except_depth > 0, parameter, star))

    def visit_Import(self, node: cst.Import) -> None:
        for bound, target in semantics.import_bindings(None, 0, _aliases(node.names)):
            self._bind(bound, target)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None else None
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            found = semantics.star_bindings(module, level, self.stars)
            bindings, complete = found if found is not None else ([], False)
            self.scope.star_imports += 1
            if not complete:
                self.scope.unknown_star_import = True
            for bound, target in bindings:
                self._bind(bound, target, star=True)
            return
        aliases = _aliases(node.names)
        self.function_aliases.update(semantics.dropout_aliases(aliases))
        for bound, target in semantics.import_bindings(module, level, aliases):
            self._bind(bound, target)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.declare(item.name.value, is_global=True)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.declare(item.name.value, is_global=False)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        for name in target_names(node.target):
            self._bind(name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        # `:=` in a comprehension binds in the enclosing function (PEP 572).
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        for name in target_names(node.target):
            scope.bind(name, Binding(OTHER, self.except_depth > 0))

    def visit_For(self, node: cst.For) -> None:
        for name in target_names(node.target):
            self._bind(name)

    # A comprehension's variables are its own: `[dropout(h) for dropout in self.drops]`.
    def _enter_comprehension(self) -> None:
        self.scope = Scope("comprehension", self.scope)

    def _leave_comprehension(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_comprehension()

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave_comprehension()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_comprehension()

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave_comprehension()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_comprehension()

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave_comprehension()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_comprehension()

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave_comprehension()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        for name in target_names(node.target):
            self._bind(name)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in target_names(node.asname.name):
                self._bind(name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.except_depth += 1
        if node.name is not None:
            for name in target_names(node.name.name):
                self._bind(name)

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.except_depth -= 1

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.except_depth += 1
        if node.name is not None:
            for name in target_names(node.name.name):
                self._bind(name)

    def leave_ExceptStarHandler(self, original_node: cst.ExceptStarHandler) -> None:
        self.except_depth -= 1

    # `case F:` and friends bind names too.
    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name.value)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind(node.name.value)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind(node.rest.value)

    def visit_Del(self, node: cst.Del) -> None:
        for name in target_names(node.target):
            self._bind(name)


class _Guards(_Bindings):
    """Where a `self.training` test guards what runs (never a function defined there)."""

    def __init__(self, stars: semantics.StarResolver | None = None) -> None:
        super().__init__(stars)
        # Scopes of the `if self.training:`-like tests around us.
        self.guards: list[Scope] = []
        self.saved_guards: list[list[Scope]] = []
        self.guarded_statements: dict[int, Scope] = {}

    def _receiver(self) -> str | None:
        raise NotImplementedError  # the frames know it

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.guarded_statements:
            self.guards.append(self.guarded_statements[id(node)])
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        if id(original_node) in self.guarded_statements:
            self.guards.pop()

    def _enter_deferred(self) -> None:
        self.saved_guards.append(self.guards)
        self.guards = []

    def _leave_deferred(self) -> None:
        self.guards = self.saved_guards.pop()

    def visit_If_body(self, node: cst.If) -> None:
        self._guard_if(implies_training(node.test, self._receiver()))

    def leave_If_body(self, node: cst.If) -> None:
        self._unguard_if(implies_training(node.test, self._receiver()))

    def visit_If_orelse(self, node: cst.If) -> None:
        self._guard_if(negation_implies_training(node.test, self._receiver()))

    def leave_If_orelse(self, node: cst.If) -> None:
        self._unguard_if(negation_implies_training(node.test, self._receiver()))

    def visit_IfExp_body(self, node: cst.IfExp) -> None:
        self._guard_if(implies_training(node.test, self._receiver()))

    def leave_IfExp_body(self, node: cst.IfExp) -> None:
        self._unguard_if(implies_training(node.test, self._receiver()))

    def visit_IfExp_orelse(self, node: cst.IfExp) -> None:
        self._guard_if(negation_implies_training(node.test, self._receiver()))

    def leave_IfExp_orelse(self, node: cst.IfExp) -> None:
        self._unguard_if(negation_implies_training(node.test, self._receiver()))

    def visit_BooleanOperation_right(self, node: cst.BooleanOperation) -> None:
        # `self.training and F.dropout(x)`: the right side runs only in training.
        self._guard_if(self._and_guard(node))

    def leave_BooleanOperation_right(self, node: cst.BooleanOperation) -> None:
        self._unguard_if(self._and_guard(node))

    def _and_guard(self, node: cst.BooleanOperation) -> bool:
        return isinstance(node.operator, cst.And) and implies_training(node.left, self._receiver())

    def _guard_if(self, condition: bool) -> None:
        if condition:
            self.guards.append(self.scope)

    def _unguard_if(self, condition: bool) -> None:
        if condition:
            self.guards.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        # `if not self.training: return x` guards the rest of the same body.
        receiver = self._receiver()
        if receiver is None:
            return
        for i, statement in enumerate(node.body):
            if (
                isinstance(statement, cst.If)
                and negation_implies_training(statement.test, receiver)
                and _ends_in_exit(statement.body)
            ):
                self.guarded_statements.update((id(s), self.scope) for s in node.body[i + 1 :])
                return


class _Collector(_Guards):
    """Walks the tree once: frames (classes, methods), and candidate calls in context."""

    def __init__(self, stars: semantics.StarResolver | None = None) -> None:
        super().__init__(stars)
        # Frames: ClassInfo or FunctionInfo, innermost last.
        self.frames: list[ClassInfo | FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.calls: list[tuple[cst.Call, str | None, _Context]] = []
        self.pending_classes: list[ClassInfo] = []
        # Lambdas of a class body that are methods: `f = lambda self, x: ...`, property(lambda ...).
        self.method_lambdas: set[int] = set()

    def _method_context(self) -> tuple[ClassInfo | None, FunctionInfo | None, str | None]:
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

    def _receiver(self) -> str | None:
        return self._method_context()[2]

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        defines_forward = any(
            isinstance(s, cst.FunctionDef) and s.name.value == "forward" for s in node.body.body
        )
        info = ClassInfo(node, self.scope, len(self.classes), defines_forward)
        self.classes.append(info)
        self._bind(node.name.value, info)
        self.pending_classes.append(info)

    # Decorators and bases run outside the class: its frame covers the body only.
    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.frames.append(self.pending_classes.pop())
        self.scope = Scope("class", self.scope)
        self._enter_deferred()

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.frames.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent
        self._leave_deferred()

    def _enter_function(
        self,
        node: cst.FunctionDef | cst.Lambda,
        params: cst.Parameters,
        decorators: Sequence[cst.Decorator],
    ) -> None:
        names = [
            p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)
        ]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star.name.value)
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        # A lambda elsewhere in the class body (staticmethod(lambda x: ...), a dict of
        # lambdas) is not a method: its first parameter is not the module.
        receiver = semantics.receiver_of(
            positional,
            (dotted(d.decorator) for d in decorators),
            in_class_body=self._in_class_body(),
            method=not isinstance(node, cst.Lambda) or id(node) in self.method_lambdas,
        )
        self.scope = Scope("function", self.scope)
        for name in names:
            self._bind(name, parameter=True)
        info = FunctionInfo(node, self.scope, frozenset(names), receiver)
        if self._in_class_body():
            self.frames[-1].methods.append(info)  # type: ignore[union-attr]
        self.frames.append(info)
        self._enter_deferred()

    def _leave_function(self) -> None:
        self._leave_deferred()
        self.frames.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    # Decorators and defaults run outside the function: its frame covers the body only.
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value)

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._enter_function(node, node.params, node.decorators)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._leave_function()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._enter_function(node, node.params, ())

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._leave_function()

    def _in_class_body(self) -> bool:
        return bool(self.frames) and isinstance(self.frames[-1], ClassInfo)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            for name in target_names(target.target):
                self._bind(name)
        if isinstance(node.value, cst.Lambda) and self._in_class_body():
            self.method_lambdas.add(id(node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        for name in target_names(node.target):
            self._bind(name)
        if isinstance(node.value, cst.Lambda) and self._in_class_body():
            self.method_lambdas.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value == "property" and self._in_class_body():
            self.method_lambdas.update(
                id(a.value) for a in node.args if isinstance(a.value, cst.Lambda)
            )
        if isinstance(func, cst.Name):
            name: str | None = func.value
        elif isinstance(func, cst.Attribute) and func.attr.value in FUNCTION_NAMES:
            name = None
        else:
            return
        klass, method, receiver = self._method_context()
        context = _Context(self.scope, klass, method, receiver, tuple(self.guards))
        self.calls.append((node, name, context))


def _aliases(names: Sequence[cst.ImportAlias]) -> list[tuple[str, str | None]]:
    """(imported name, `as` name) of each alias, as semantics.import_bindings takes them."""
    found = []
    for alias in names:
        asname = alias.asname.name if alias.asname is not None else None
        found.append(
            (dotted(alias.name) or "", asname.value if isinstance(asname, cst.Name) else None)
        )
    return found


def qualify(expr: cst.BaseExpression, scope: Scope) -> str | Defined | None:
    """Resolve a dotted expression to an import target string, a ClassInfo or None."""
    return semantics.qualify(CST_SYNTAX, expr, scope.resolve)


def _between(scope: Scope, top: Scope) -> list[Scope]:
    """The scopes from `scope` up to `top`, `top` left out."""
    found = []
    while scope is not top and scope.parent is not None:
        found.append(scope)
        scope = scope.parent
    return found


def receiver_at(context: _Context) -> str | None:
    """The receiver at a call, if it is surely the module there (see semantics.receiver_survives)."""
    receiver, method = context.receiver, context.method
    if receiver is None or method is None:
        return None
    inner = _between(context.scope, method.scope)
    return receiver if semantics.receiver_survives(receiver, method.scope, inner) else None


def _guarded(context: _Context) -> bool:
    """Does a `self.training` test around the call read the module's own flag?"""
    receiver, method = context.receiver, context.method
    if receiver is None or method is None:
        return False
    return any(
        semantics.receiver_survives(receiver, method.scope, _between(scope, method.scope))
        for scope in context.guards
    )


class Classifier:
    """Decides which classes are module classes (SPEC 1, "Where")."""

    def __init__(self, settings: Settings) -> None:
        self.bases = settings.module_bases
        self.project = settings.project  # bases in other files of the project, if known

    def kind(self, info: ClassInfo) -> Kind:
        if info.kind is None:
            info.kind = Kind.UNKNOWN  # guards against cycles
            info.kind = self._compute(info)
        return info.kind

    def _compute(self, info: ClassInfo) -> Kind:
        kinds = {self._base_kind(arg.value, info) for arg in info.node.bases}
        if Kind.MODULE in kinds:
            return Kind.MODULE
        if Kind.FUNCTION in kinds:
            return Kind.FUNCTION
        if Kind.UNKNOWN in kinds:
            return Kind.MODULE if info.defines_forward else Kind.UNKNOWN
        return Kind.NOT_MODULE

    def _base_kind(self, expr: cst.BaseExpression, info: ClassInfo) -> Kind:
        target = qualify(expr, info.scope)
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


def analyse(module: cst.Module, settings: Settings) -> Analysis:
    """Find every reported call in a parsed module."""
    collector = _Collector(settings.star_resolver())
    module.visit(collector)
    collector.module_scope.settle()
    classifier = Classifier(settings)
    names = FUNCTION_NAMES | collector.function_aliases
    sites: list[Site] = []
    ordinal = -1
    for node, name, context in collector.calls:
        if name is not None and name not in names:
            continue
        ordinal += 1
        if context.klass is None or context.method is None or _guarded(context):
            continue
        target = qualify(node.func, context.scope)
        function = FUNCTIONS.get(target) if isinstance(target, str) else None
        if function is None or classifier.kind(context.klass) is not Kind.MODULE:
            continue
        receiver = receiver_at(context)
        code, training = judge(node.args, function, receiver)
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
    return Analysis(sites, collector.classes, collector.module_scope, ordinal + 1)
