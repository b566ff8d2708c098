"""The judge's libcst driver: walks libcst's tree for the fixer, which rewrites it.

Each visit tells judge.Walk what the node does; judge.py decides. The check
reads the same judge through the `ast` driver (ast_judge.py) and never
imports libcst. No libcst metadata providers are used: a small scope table
does the job at a fraction of their cost (see README, "Speed").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst

from . import semantics
from .judge import Analysis, ClassInfo, Kind, Site, Walk, judge_calls
from .semantics import ArgShape, Defined, Scope, Syntax
from .settings import Settings

__all__ = [  # what the fixer takes from here: the judge's model and libcst's helpers
    "Analysis",
    "ClassInfo",
    "Kind",
    "Scope",
    "Site",
    "analyse",
    "find_argument",
    "qualify",
    "target_names",
]


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


def _exit_test(statement: cst.CSTNode) -> cst.BaseExpression | None:
    """The test of an `if` whose body ends in an exit (see judge.Walk.block)."""
    if isinstance(statement, cst.If) and _ends_in_exit(statement.body):
        return statement.test
    return None


def _parameters(params: cst.Parameters) -> tuple[list[str], list[str]]:
    """(positional parameter names, every parameter name)."""
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    names = [*positional, *(p.name.value for p in params.kwonly_params)]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    return positional, names


class _Driver(cst.CSTVisitor):
    """Tells the walk what each libcst node does, in source order."""

    def __init__(self, walk: Walk[cst.BaseExpression]) -> None:
        self.walk = walk
        self.pending_classes: list[ClassInfo] = []
        self._pushed: list[bool] = []  # whether each open guard hook pushed a guard

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.walk.enter_statement(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.walk.leave_statement(original_node)

    # -- bindings

    def visit_Import(self, node: cst.Import) -> None:
        self.walk.imported(None, 0, _aliases(node.names))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None else None
        if isinstance(node.names, cst.ImportStar):
            self.walk.star_imported(module, len(node.relative))
        else:
            self.walk.imported(module, len(node.relative), _aliases(node.names))

    def visit_Global(self, node: cst.Global) -> None:
        self.walk.declared((item.name.value for item in node.names), is_global=True)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.walk.declared((item.name.value for item in node.names), is_global=False)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.walk.bind_all(target_names(target.target))
        self.walk.assigned_lambda(node.value, isinstance(node.value, cst.Lambda))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.walk.bind_all(target_names(node.target))
        self.walk.assigned_lambda(node.value, isinstance(node.value, cst.Lambda))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.walk.bind_all(target_names(node.target))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.walk.walrus(target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.walk.bind_all(target_names(node.target))

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self.walk.enter_comprehension()

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self.walk.leave_comprehension()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self.walk.enter_comprehension()

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self.walk.leave_comprehension()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self.walk.enter_comprehension()

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self.walk.leave_comprehension()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self.walk.enter_comprehension()

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self.walk.leave_comprehension()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.walk.bind_all(target_names(node.target))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.walk.bind_all(target_names(node.asname.name))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.walk.enter_handler(target_names(node.name.name) if node.name is not None else ())

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.walk.leave_handler()

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.walk.enter_handler(target_names(node.name.name) if node.name is not None else ())

    def leave_ExceptStarHandler(self, original_node: cst.ExceptStarHandler) -> None:
        self.walk.leave_handler()

    # `case F:` and friends bind names too.
    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.walk.bind(node.name.value)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.walk.bind(node.name.value)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self.walk.bind(node.rest.value)

    def visit_Del(self, node: cst.Del) -> None:
        self.walk.bind_all(target_names(node.target))

    # -- guards

    def visit_If_body(self, node: cst.If) -> None:
        self._pushed.append(self.walk.guard(node.test))

    def leave_If_body(self, node: cst.If) -> None:
        self.walk.unguard(self._pushed.pop())

    def visit_If_orelse(self, node: cst.If) -> None:
        self._pushed.append(self.walk.guard(node.test, negated=True))

    def leave_If_orelse(self, node: cst.If) -> None:
        self.walk.unguard(self._pushed.pop())

    def visit_IfExp_body(self, node: cst.IfExp) -> None:
        self._pushed.append(self.walk.guard(node.test))

    def leave_IfExp_body(self, node: cst.IfExp) -> None:
        self.walk.unguard(self._pushed.pop())

    def visit_IfExp_orelse(self, node: cst.IfExp) -> None:
        self._pushed.append(self.walk.guard(node.test, negated=True))

    def leave_IfExp_orelse(self, node: cst.IfExp) -> None:
        self.walk.unguard(self._pushed.pop())

    def visit_BooleanOperation_right(self, node: cst.BooleanOperation) -> None:
        # `self.training and F.dropout(x)`: the right side runs only in training.
        self._pushed.append(isinstance(node.operator, cst.And) and self.walk.guard(node.left))

    def leave_BooleanOperation_right(self, node: cst.BooleanOperation) -> None:
        self.walk.unguard(self._pushed.pop())

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.walk.block(node.body, _exit_test)

    # -- frames and calls

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        defines_forward = any(
            isinstance(s, cst.FunctionDef) and s.name.value == "forward" for s in node.body.body
        )
        bases = [arg.value for arg in node.bases]
        info = self.walk.class_defined(node, node.name.value, bases, defines_forward)
        self.pending_classes.append(info)

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.walk.enter_class_body(self.pending_classes.pop())

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.walk.leave_class_body()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.walk.bind(node.name.value)

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        positional, names = _parameters(node.params)
        decorators = (dotted(d.decorator) for d in node.decorators)
        self.walk.enter_function(node, positional, names, decorators, is_lambda=False)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.walk.leave_function()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        positional, names = _parameters(node.params)
        self.walk.enter_function(node, positional, names, (), is_lambda=True)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self.walk.leave_function()

    def visit_Call(self, node: cst.Call) -> None:
        lambdas = (a.value for a in node.args if isinstance(a.value, cst.Lambda))
        self.walk.call(node, node.func, lambdas)


def _call_arguments(call: cst.Call) -> list[ArgShape[cst.BaseExpression]]:
    return cst_args(call.args)


def analyse(module: cst.Module, settings: Settings) -> Analysis:
    """Find every reported call in a parsed module (the fixer's view: libcst nodes)."""
    walk: Walk[cst.BaseExpression] = Walk(CST_SYNTAX, _call_arguments, settings.star_resolver())
    module.visit(_Driver(walk))
    analysis = judge_calls(walk, settings)
    analysis.sites = [
        replace(site, training=_arg_of(site.node.args, site.training)) for site in analysis.sites
    ]
    return analysis
