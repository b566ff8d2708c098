"""The judge's `ast` driver: what the check runs, so that reporting never needs libcst.

It tells judge.Walk what each node does, as analysis.py's libcst driver does
for the fixer; the two must find the same calls (tests/test_check_fix_agreement.py
runs both on every case file, fixture and generated module). Where the trees
differ, this follows what libcst's visit order means: decorators, bases,
defaults and annotations belong to the scope around a definition, a
comprehension's scope holds all of it, and `a and b and c` guards `c` when
`a and b` implies training (libcst nests the operands pairwise).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any

from .judge import Analysis, ClassInfo, Walk, judge_calls
from .screen import child_fields
from .semantics import AST_SYNTAX, ast_args, ast_parameters, dotted
from .settings import Settings

_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def target_names(node: ast.expr | None) -> list[str]:
    """Names an assignment target binds (`a`, `a, (b, *c)`), not attributes."""
    kind = type(node)
    if kind is ast.Name:
        return [node.id]  # type: ignore[union-attr]
    if kind is ast.Tuple or kind is ast.List:
        return [n for element in node.elts for n in target_names(element)]  # type: ignore[union-attr]
    if kind is ast.Starred:
        return target_names(node.value)  # type: ignore[union-attr]
    return []


def _exit_test(statement: ast.stmt) -> ast.expr | None:
    """The test of an `if` whose body ends in an exit (see judge.Walk.block)."""
    if type(statement) is ast.If and type(statement.body[-1]) in _EXITS:
        return statement.test
    return None


class _Driver:
    """Tells the walk what each `ast` node does, in source order."""

    def __init__(self, walk: Walk[ast.expr]) -> None:
        self.walk = walk
        self.handlers: dict[type, Callable[[Any], None]] = {
            ast.Import: self._import,
            ast.ImportFrom: self._import_from,
            ast.Global: self._global,
            ast.Nonlocal: self._nonlocal,
            ast.Assign: self._assign,
            ast.AnnAssign: self._ann_assign,
            ast.AugAssign: self._target,
            ast.NamedExpr: self._named_expr,
            ast.For: self._target,
            ast.AsyncFor: self._target,
            ast.comprehension: self._target,
            ast.withitem: self._with_item,
            ast.ExceptHandler: self._handler,
            ast.MatchAs: self._match_name,
            ast.MatchStar: self._match_name,
            ast.MatchMapping: self._match_mapping,
            ast.Delete: self._delete,
            ast.If: self._if,
            ast.IfExp: self._if_exp,
            ast.BoolOp: self._bool_op,
            ast.ClassDef: self._class,
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
            ast.Lambda: self._lambda,
            ast.Call: self._call,
            **{kind: self._comprehension_scope for kind in _COMPREHENSIONS},
        }

    # -- the walk

    def visit(self, node: ast.AST) -> None:
        handler = self.handlers.get(type(node))
        if handler is not None:
            handler(node)
        else:
            self.children(node)

    def children(self, node: ast.AST) -> None:
        for name in child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                # A list of nodes may hold None (`{**d, k: v}`'s keys, `*, a`'s defaults).
                first = next((item for item in value if item is not None), None)
                if not isinstance(first, ast.AST):
                    continue  # empty, or names: `global a, b`, `case C(attr=p)`'s attributes
                if isinstance(first, ast.stmt):
                    self.block(value)
                else:
                    self.all(value)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def all(self, nodes: Iterable[ast.AST | None]) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)

    def block(self, statements: list[ast.stmt]) -> None:
        """An indented body (libcst's IndentedBlock): an early exit guards what follows."""
        self.walk.block(statements, _exit_test)
        self.statements(statements)

    def statements(self, statements: list[ast.stmt]) -> None:
        walk = self.walk
        for statement in statements:
            walk.enter_statement(statement)
            self.visit(statement)
            walk.leave_statement(statement)

    # -- bindings

    def _import(self, node: ast.Import) -> None:
        self.walk.imported(None, 0, [(a.name, a.asname) for a in node.names])

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.names[0].name == "*":
            self.walk.star_imported(node.module, node.level)
        else:
            self.walk.imported(node.module, node.level, [(a.name, a.asname) for a in node.names])

    def _global(self, node: ast.Global) -> None:
        self.walk.declared(node.names, is_global=True)

    def _nonlocal(self, node: ast.Nonlocal) -> None:
        self.walk.declared(node.names, is_global=False)

    def _assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.walk.bind_all(target_names(target))
        self.walk.assigned_lambda(node.value, type(node.value) is ast.Lambda)
        self.children(node)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self.walk.bind_all(target_names(node.target))
        self.walk.assigned_lambda(node.value, type(node.value) is ast.Lambda)
        self.children(node)

    def _target(self, node: ast.AugAssign | ast.For | ast.AsyncFor | ast.comprehension) -> None:
        """`x += 1`, `for x in ...`, a comprehension's `for x in ...`: `x` is bound."""
        self.walk.bind_all(target_names(node.target))
        self.children(node)

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self.walk.walrus(target_names(node.target))
        self.children(node)

    def _comprehension_scope(self, node: ast.AST) -> None:
        # The whole comprehension is its scope, first iterable included (as the libcst driver).
        self.walk.enter_comprehension()
        self.children(node)
        self.walk.leave_comprehension()

    def _with_item(self, node: ast.withitem) -> None:
        self.walk.bind_all(target_names(node.optional_vars))
        self.children(node)

    def _handler(self, node: ast.ExceptHandler) -> None:
        self.walk.enter_handler([node.name] if node.name else ())
        self.children(node)
        self.walk.leave_handler()

    def _match_name(self, node: ast.MatchAs | ast.MatchStar) -> None:
        if node.name is not None:
            self.walk.bind(node.name)
        self.children(node)

    def _match_mapping(self, node: ast.MatchMapping) -> None:
        if node.rest is not None:
            self.walk.bind(node.rest)
        self.children(node)

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self.walk.bind_all(target_names(target))
        self.children(node)

    # -- guards

    def _if(self, node: ast.If) -> None:
        self.visit(node.test)
        self._branch(node.test, False, self.block, node.body)
        if node.orelse:
            self._branch(node.test, True, self.block, node.orelse)

    def _if_exp(self, node: ast.IfExp) -> None:
        self.visit(node.test)
        self._branch(node.test, False, self.visit, node.body)
        self._branch(node.test, True, self.visit, node.orelse)

    def _branch(
        self, test: ast.expr, negated: bool, visit: Callable[[Any], None], part: Any
    ) -> None:
        """The body (`negated`: the else branch) of an `if` on `test`, guarded if it implies training."""
        pushed = self.walk.guard(test, negated)
        visit(part)
        self.walk.unguard(pushed)

    def _bool_op(self, node: ast.BoolOp) -> None:
        # `self.training and F.dropout(x)`: an operand runs only if those before it held,
        # and `a and b` implies training when one of them does (read once each: a chain
        # of 10,000 operands is one node here).
        if type(node.op) is not ast.And:
            self.all(node.values)
            return
        walk = self.walk
        holds = False
        for value in node.values:
            pushed = walk.guard_when(holds)
            self.visit(value)
            walk.unguard(pushed)
            holds = holds or walk.implies_training(value)

    # -- frames and calls

    def _class(self, node: ast.ClassDef) -> None:
        walk = self.walk
        defines_forward = any(
            type(s) in _FUNCTIONS and s.name == "forward"  # type: ignore[attr-defined]
            for s in node.body
        )
        # `class B(*bases)`: libcst's Arg holds `bases` itself, the judge reads that.
        bases = [b.value if isinstance(b, ast.Starred) else b for b in node.bases]
        info: ClassInfo = walk.class_defined(node, node.name, bases, defines_forward)
        self.all(node.decorator_list)
        self.all(node.bases)
        self.all(node.keywords)
        walk.enter_class_body(info)
        self.block(node.body)
        walk.leave_class_body()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        walk = self.walk
        walk.bind(node.name)
        self.all(node.decorator_list)
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        positional, names = ast_parameters(node.args)
        decorators = (dotted(AST_SYNTAX, d) for d in node.decorator_list)
        walk.enter_function(node, positional, names, decorators, is_lambda=False)
        self.block(node.body)
        walk.leave_function()

    def _lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        positional, names = ast_parameters(node.args)
        self.walk.enter_function(node, positional, names, (), is_lambda=True)
        self.visit(node.body)
        self.walk.leave_function()

    def _call(self, node: ast.Call) -> None:
        values = [*node.args, *(k.value for k in node.keywords)]
        self.walk.call(node, node.func, (v for v in values if type(v) is ast.Lambda))
        self.visit(node.func)
        self.all(node.args)
        self.all(node.keywords)


def judge_tree(tree: ast.Module, settings: Settings) -> Analysis:
    """Every reported call of a module's `ast` tree (sites hold `ast` nodes)."""
    walk: Walk[ast.expr] = Walk(AST_SYNTAX, ast_args, settings.star_resolver())
    _Driver(walk).statements(tree.body)  # the module's body is no indented block
    return judge_calls(walk, settings)
