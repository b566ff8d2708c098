"""Findings -> fixed source: one libcst transformation per file, applied in one pass.

A call becomes a registered layer (`self.dropout(x)`, with `self.dropout =
nn.Dropout(...)` in `__init__`) when its `p` and `inplace` can be evaluated
there; otherwise `training=self.training` is written in place. Everything
else in the file is left byte for byte: libcst keeps it, and only the nodes
named here are replaced.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from .analysis import (
    Classifier,
    ClassInfo,
    Kind,
    Scope,
    Site,
    find_argument,
    qualify,
    target_names,
)
from .engine import Finding, analyse_source, deep_recursion
from .fix_layout import Layout, append_keyword, layer_statement
from .fix_spelling import ImportEdit, LayerSpelling, apply_import_edit, layer_attribute
from .line_length import DEFAULT_LINE_LENGTH
from .noqa import NoqaLines
from .project import chain_members
from .rules import Applicability
from .settings import Settings
from .source import SourceError

STYLES = ("layer", "argument")


@dataclass
class FixResult:
    source: str  # the fixed text; identical to the input when nothing changed
    fixed: list[Finding] = field(default_factory=list)  # findings this run rewrote
    # Every finding of the input (no-qa comments not applied): what remains if nothing changed.
    found: list[Finding] = field(default_factory=list)


def fix_source(
    source: str,
    settings: Settings,
    *,
    unsafe: bool = False,
    style: str = "layer",
    selected: Callable[[str], bool] = lambda code: True,
    line_length: int = DEFAULT_LINE_LENGTH,
    only: Callable[[Finding], bool] = lambda finding: True,
) -> FixResult:
    """Rewrite every fixable, selected, non-noqa finding of `source`.

    style: "layer" (registered nn.Dropout layers, argument form as fallback) or
    "argument" (always `training=self.training` in place). line_length: the
    project's (see line_length.py); what the fix writes is wrapped to fit it.
    `only` narrows the findings further (the language server fixes one at a
    time). Raises SourceError.
    """
    if style not in STYLES:
        raise ValueError(f"unknown fix style {style!r}")
    checked = analyse_source(source, settings)
    if not checked.sites:
        return FixResult(source, [], sorted(checked.findings))
    allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe else set())
    noqa = NoqaLines(source)
    chosen = [
        (site, finding)
        for site, finding in zip(checked.sites, checked.findings)
        if finding.applicability in allowed
        and selected(finding.code.value)
        and not noqa.suppresses(finding.line, finding.code.value)
        and only(finding)
    ]
    if not chosen:
        return FixResult(source, [], sorted(checked.findings))
    module: cst.Module = checked.module
    sites = [site for site, _ in chosen]
    try:
        with deep_recursion():
            layout = Layout(module, source, line_length)
            plan = _Planner(module, sites, checked.classes, settings, style, layout).plan()
            fixed = module.visit(_Rewriter(plan, layout)).code
    except RecursionError:
        raise SourceError("too deeply nested for libcst to rewrite") from None
    ending = source[len(source.rstrip("\r\n")) :]
    if ending and not fixed.endswith(ending):  # libcst drops a final lone "\r"
        fixed = fixed.rstrip("\r\n") + ending
    return FixResult(fixed, sorted(finding for _, finding in chosen), sorted(checked.findings))


# -- planning ------------------------------------------------------------------


@dataclass
class _ClassPlan:
    """The layers one class gets, and where they go."""

    info: ClassInfo
    init: cst.FunctionDef | None  # None: a new __init__ is generated
    init_receiver: str
    layers: dict[tuple[str, str], str] = field(default_factory=dict)  # (layer, args) -> name
    # (index in __init__'s body to insert after, source of the layer assignment)
    statements: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Plan:
    calls: dict[int, cst.Call] = field(default_factory=dict)  # id(original call) -> new call
    classes: dict[int, _ClassPlan] = field(default_factory=dict)  # id(ClassDef) -> plan
    inits: dict[int, _ClassPlan] = field(default_factory=dict)  # id(__init__ def) -> plan
    import_edit: ImportEdit | None = None


@dataclass
class _ClassFacts:
    """What the class's own code says about its attributes."""

    init: cst.FunctionDef | None
    init_receiver: str | None
    base_init_index: int | None  # top-level statement of __init__ calling the base's
    assigned_in_init: dict[str, int]  # attribute -> last top-level statement assigning it
    assigned_elsewhere: set[str]  # attributes other methods assign: p could change
    class_attributes: set[str]  # plain assignments in the class body
    taken: set[str]  # every attribute or class-body name seen: new names avoid them


def _receiver_of(function: cst.FunctionDef) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def _is_base_init(statement: cst.CSTNode, receiver: str) -> bool:
    """`super().__init__(...)`, `super(Cls, self).__init__(...)`, `Base.__init__(self, ...)`."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        call = small.value if isinstance(small, cst.Expr) else None
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        if call.func.attr.value != "__init__":
            continue
        owner = call.func.value
        is_super = isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name)
        if is_super and owner.func.value == "super":
            return True
        first = call.args[0].value if call.args else None
        if isinstance(first, cst.Name) and first.value == receiver:
            return True
    return False


def _attribute_targets(node: cst.CSTNode, receiver: str) -> Iterator[str]:
    """Attributes of `receiver` that an assignment target writes or mutates.

    `self.config.p = ...` and `self.rates[0] = ...` change what `self.config`
    and `self.rates` hold, so they count as writes of `config` and `rates`.
    """
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        chain: cst.BaseExpression = node
        while isinstance(chain, (cst.Attribute, cst.Subscript)):
            owner = chain.value
            if isinstance(owner, cst.Name) and owner.value == receiver:
                if isinstance(chain, cst.Attribute):
                    yield chain.attr.value
                return
            chain = owner
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _attribute_targets(element.value, receiver)
    elif isinstance(node, cst.StarredElement):
        yield from _attribute_targets(node.value, receiver)


class _AttributeScan(cst.CSTVisitor):
    """Attributes a method assigns to and reads from its receiver.

    With `nested=False`, assignments inside nested functions and classes are
    left out: they run when called, not where they stand.
    """

    def __init__(self, receiver: str | None, nested: bool = True) -> None:
        self.receiver = receiver
        self.nested = nested
        self.assigned: set[str] = set()
        self.seen: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self.nested

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return self.nested

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self.nested

    def _targets(self, target: cst.CSTNode) -> None:
        if self.receiver is not None:
            self.assigned.update(_attribute_targets(target, self.receiver))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._targets(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.receiver:
            self.seen.add(node.attr.value)


def _class_facts(info: ClassInfo, known: dict[int, _ClassFacts]) -> _ClassFacts:
    if id(info.node) in known:
        return known[id(info.node)]
    init = None
    init_receiver = None
    base_init_index = None
    assigned_in_init: dict[str, int] = {}
    assigned_elsewhere: set[str] = set()
    class_attributes: set[str] = set()
    taken: set[str] = set()
    body = info.node.body.body if isinstance(info.node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            taken.add(statement.name.value)
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets: Sequence[cst.CSTNode] = ()
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AugAssign) or (
                    isinstance(small, cst.AnnAssign) and small.value is not None
                ):
                    targets = [small.target]  # a bare `p: float` sets nothing
                for target in targets:
                    if isinstance(target, cst.Name):
                        class_attributes.add(target.value)
        if not isinstance(statement, cst.FunctionDef):
            continue
        receiver = _receiver_of(statement)
        scan = _AttributeScan(receiver)
        statement.visit(scan)
        taken |= scan.seen | scan.assigned
        if statement.name.value != "__init__":
            assigned_elsewhere |= scan.assigned
            continue
        init, init_receiver = statement, receiver
        if receiver is None or not isinstance(statement.body, cst.IndentedBlock):
            continue
        for index, inner in enumerate(statement.body.body):
            if _is_base_init(inner, receiver):
                base_init_index = index  # the last one: after every base is set up
            inner_scan = _AttributeScan(receiver, nested=False)
            inner.visit(inner_scan)
            for attribute in inner_scan.assigned:
                assigned_in_init[attribute] = index
    taken |= class_attributes
    facts = _ClassFacts(
        init,
        init_receiver,
        base_init_index,
        assigned_in_init,
        assigned_elsewhere,
        class_attributes,
        taken,
    )
    known[id(info.node)] = facts
    return facts


class _Rename(cst.CSTTransformer):
    """Renames the method's receiver to __init__'s in a copied expression."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return (
            updated_node.with_changes(value=self.new)
            if updated_node.value == self.old
            else updated_node
        )

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        # Only the object side can be the receiver; `x.self` is an attribute name.
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)


_CONTAINERS = frozenset(
    {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}
)

_UNMOVABLE = (
    cst.Lambda,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.NamedExpr,
    cst.Yield,
    cst.Await,
)


_PURE_BUILTINS = frozenset({"float", "int", "bool", "min", "max", "abs", "round"})


def _reads(expr: cst.CSTNode, receiver: str) -> tuple[set[str], set[str]] | None:
    """(free names, receiver attributes) read by `expr`; None if it cannot move.

    Builtins called in `expr` are among the free names, so the caller checks
    that nothing shadows them.
    """
    names: set[str] = set()
    attributes: set[str] = set()
    pure_calls: set[str] = set()

    def walk(node: cst.CSTNode) -> bool:
        if isinstance(node, _UNMOVABLE):
            return False
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == receiver:
                attributes.add(node.attr.value)
                return True
            return walk(node.value)
        if isinstance(node, cst.Call):
            # Evaluated once in __init__ instead of at every call: only pure builtins
            # (checked to be unshadowed by the caller) give the same value every time.
            if not (isinstance(node.func, cst.Name) and node.func.value in _PURE_BUILTINS):
                return False
            pure_calls.add(node.func.value)
            return all(walk(arg) for arg in node.args)
        if isinstance(node, cst.Name):
            names.add(node.value)
            return True
        if isinstance(node, cst.Arg):
            return walk(node.value)
        return all(walk(child) for child in node.children)

    return (names | pure_calls, attributes) if walk(expr) else None


def _defining_scope(scope: Scope, name: str) -> Scope | None:
    current: Scope | None = scope
    first = True
    while current is not None:
        if (first or current.kind != "class") and name in current.bindings:
            return current
        first = False
        current = current.parent
    return None


class _Planner:
    def __init__(
        self,
        module: cst.Module,
        sites: list[Site],
        classes: list[ClassInfo],
        settings: Settings,
        style: str,
        layout: Layout,
    ):
        self.module = module
        self.classes = classes
        self.sites = sites
        self.style = style
        self.settings = settings
        self.facts: dict[int, _ClassFacts] = {}
        self.plan_ = _Plan()
        self.classifier = Classifier(settings)
        self.module_scope = _module_scope(sites)
        self.layout = layout
        self.project = settings.project  # the CLI's view of bases in other files
        self.spelling = LayerSpelling(module, self.module_scope, layout.line_length)

    def plan(self) -> _Plan:
        for site in self.sites:
            if not (self.style == "layer" and self._plan_layer(site)):
                self._plan_argument(site)
        self.plan_.import_edit = self.spelling.import_edit()
        return self.plan_

    # -- argument form ---------------------------------------------------------

    def _plan_argument(self, site: Site) -> None:
        receiver = site.receiver
        assert receiver is not None
        value = cst.Attribute(cst.Name(receiver), cst.Name("training"))
        call = site.node
        if site.training is not None:
            args = [
                arg.with_changes(value=value) if arg is site.training else arg for arg in call.args
            ]
        else:
            args = append_keyword(call, site.function.training_keyword, value)
        self.plan_.calls[id(call)] = call.with_changes(args=args)

    # -- layer form ------------------------------------------------------------

    def _plan_layer(self, site: Site) -> bool:
        function = site.function
        receiver = site.receiver
        info = site.klass
        if function.layer is None or receiver is None:
            return False
        if not isinstance(info.node.body, cst.IndentedBlock) or info.node.decorators:
            return False  # one-line classes, dataclasses and the like: keep it local
        if not self._ancestry_allows_layer(info):
            return False  # see _ancestry_allows_layer
        method = site.method.node
        if isinstance(method, cst.FunctionDef) and method.name.value == "__init__":
            return False  # the layer would not exist yet where the call runs
        call = site.node
        input_arg = find_argument(call.args, "input", 0)[1]
        if input_arg is None:
            return False
        p_arg = find_argument(call.args, "p", 1)[1]
        inplace_arg = find_argument(call.args, "inplace", 3)[1]
        known = {id(a) for a in (input_arg, p_arg, inplace_arg, site.training) if a is not None}
        if any(id(arg) not in known for arg in call.args):
            return False  # an argument we do not understand
        if _has_comment(call):
            return False  # the in-place form keeps every comment inside the call
        if function.layer in _IGNORE_INPLACE and not _is_false(inplace_arg):
            return False  # these layers ignore `inplace`: the call's effect would change
        facts = _class_facts(info, self.facts)
        if facts.init is None:
            init_receiver, after = receiver, -1
            init_names = {receiver, "args", "kwargs"}
        elif facts.init_receiver is None or facts.base_init_index is None:
            return False
        else:
            init_receiver, after = facts.init_receiver, facts.base_init_index
            init_names = _parameter_names(facts.init) | _bound_names(facts.init)
        spelled = self.spelling.spell(function.layer)
        if spelled.split(".", 1)[0] in init_names:
            return False  # __init__ has its own meaning for the name
        pieces: list[str] = []
        for keyword, arg in (("p", p_arg), ("inplace", inplace_arg)):
            if arg is None:
                continue
            placed = self._movable(arg.value, site, facts)
            if placed is None:
                return False
            after = max(after, placed)
            moved = arg.value.visit(_Rename(receiver, init_receiver))
            code = " ".join(self.module.code_for_node(moved).split())
            pieces.append(f"{keyword}={code}")
        project_names, project_reassigned = chain_members(info, self.project)
        rates = [a.value for a in (p_arg, inplace_arg) if a is not None]
        for rate in rates:
            reads = _reads(rate, receiver)
            if reads is None or reads[1] & project_reassigned:
                return False  # a base's method may change p after __init__
        class_plan = self.plan_.classes.get(id(info.node))
        if class_plan is None:
            class_plan = _ClassPlan(info, facts.init, init_receiver)
            self.plan_.classes[id(info.node)] = class_plan
            if facts.init is not None:
                self.plan_.inits[id(facts.init)] = class_plan
        key = (function.layer, ", ".join(pieces))
        attribute = class_plan.layers.get(key)
        if attribute is None:
            rate = p_arg.value if p_arg is not None else None
            taken = self._taken_in_family(info) | project_names
            planned = [n for plan in self.plan_.classes.values() for n in plan.layers.values()]
            attribute = layer_attribute(function.layer, rate, taken, planned)
            facts.taken.add(attribute)
            class_plan.layers[key] = attribute
            self.spelling.use(spelled)
            indent = (
                self.layout.body_indent(facts.init)
                if facts.init is not None
                else self.layout.body_indent(info.node) + self.layout.unit
            )
            target = f"{init_receiver}.{attribute}"
            statement = layer_statement(
                target, spelled, pieces, indent, self.layout.line_length, self.layout.unit
            )
            class_plan.statements.append((after, statement))
        only_input = input_arg.with_changes(
            keyword=None,
            equal=cst.MaybeSentinel.DEFAULT,
            comma=cst.MaybeSentinel.DEFAULT,
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
        self.plan_.calls[id(call)] = call.with_changes(
            func=cst.Attribute(cst.Name(receiver), cst.Name(attribute)),
            args=[only_input],
            whitespace_before_args=cst.SimpleWhitespace(""),
        )
        return True

    def _bases(self, info: ClassInfo) -> list[ClassInfo]:
        targets = (qualify(arg.value, info.scope) for arg in info.node.bases)
        return [t for t in targets if isinstance(t, ClassInfo) and t.order < info.order]

    def _taken_in_family(self, info: ClassInfo) -> set[str]:
        """Names used by the class, its same-file ancestors and descendants.

        A parent's attribute would be overwritten by the child's layer, and a
        child's assignment would replace the parent's layer.
        """
        family = {id(info.node): info}
        changed = True
        while changed:
            changed = False
            for other in self.classes:
                if id(other.node) in family:
                    continue
                related = any(id(b.node) in family for b in self._bases(other)) or any(
                    id(other.node) == id(b.node)
                    for member in list(family.values())
                    for b in self._bases(member)
                )
                if related:
                    family[id(other.node)] = other
                    changed = True
        taken: set[str] = set()
        for member in family.values():
            taken |= _class_facts(member, self.facts).taken
        return taken

    def _descendants(self, info: ClassInfo) -> list[ClassInfo]:
        """Same-file classes that inherit from `info`, directly or not."""
        found: dict[int, ClassInfo] = {}
        for other in self.classes:  # in source order: bases come first
            if any(b is info or id(b.node) in found for b in self._bases(other)):
                found[id(other.node)] = other
        return list(found.values())

    def _ancestry_allows_layer(self, info: ClassInfo) -> bool:
        """Every base is a visible class whose behaviour a new child layer cannot change.

        An unseen base may already own the attribute name; a container
        (`nn.Sequential`, `nn.ModuleList`, ...) runs or counts every child.
        """
        for arg in info.node.bases:
            target = qualify(arg.value, info.scope)
            if isinstance(target, ClassInfo):
                if target.order >= info.order or not self._ancestry_allows_layer(target):
                    return False
            elif not isinstance(target, str) or not self._layer_safe_base(target):
                return False
        return True

    def _layer_safe_base(self, name: str) -> bool:
        # A base from another file of the project: safe when its whole chain is seen.
        found = self.project.lookup(name) if self.project is not None else None
        if found is not None:
            return found.complete and found.kind is Kind.MODULE
        if self.classifier.name_kind(name) is Kind.UNKNOWN:
            return False
        return not (name.startswith("torch.") and name.rsplit(".", 1)[1] in _CONTAINERS)

    def _movable(self, expr: cst.BaseExpression, site: Site, facts: _ClassFacts) -> int | None:
        """Index in __init__ after which `expr` can be evaluated, or None if it cannot."""
        receiver = site.receiver
        assert receiver is not None
        reads = _reads(expr, receiver)
        if reads is None:
            return None
        names, attributes = reads
        init_scope_names = _parameter_names(facts.init) if facts.init is not None else set()
        after = -1
        for name in names:
            if name == receiver:
                return None  # the module itself, e.g. getattr(self, "p")
            scope = _defining_scope(site.scope, name)
            if scope is not None and scope is not self.module_scope:
                return None  # a local or argument of the method
            if name in init_scope_names or name in _bound_names(facts.init):
                return None  # __init__ has its own meaning for the name
        reassigned = set(facts.assigned_elsewhere)
        for child in self._descendants(site.klass):  # a subclass may set it after super()
            child_facts = _class_facts(child, self.facts)
            reassigned |= child_facts.assigned_elsewhere | set(child_facts.assigned_in_init)
        for attribute in attributes:
            if attribute in reassigned:
                return None  # p may change after this __init__ has run
            if attribute in facts.assigned_in_init:
                after = max(after, facts.assigned_in_init[attribute])
            elif attribute not in facts.class_attributes:
                return None  # nothing sets it before forward runs
        return after


class _CommentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def _has_comment(node: cst.CSTNode) -> bool:
    finder = _CommentFinder()
    node.visit(finder)
    return finder.found


_IGNORE_INPLACE = frozenset({"AlphaDropout", "FeatureAlphaDropout"})  # their forward ignores it


def _is_false(arg: cst.Arg | None) -> bool:
    return arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "False")


def _parameter_names(function: cst.FunctionDef) -> set[str]:
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    names.update(
        s.name.value for s in (params.star_arg, params.star_kwarg) if isinstance(s, cst.Param)
    )
    return names


def _module_scope(sites: list[Site]) -> Scope:
    scope = sites[0].scope
    while scope.parent is not None:
        scope = scope.parent
    return scope


class _Bindings(cst.CSTVisitor):
    """Names a function body binds (assignments, loops, imports, ...)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def _add(self, target: cst.BaseExpression) -> None:
        self.names.update(target_names(target))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._add(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._add(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._add(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._add(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._add(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._add(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            dotted = node.name
            while isinstance(dotted, cst.Attribute):
                dotted = dotted.value
            self._add(dotted)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.add(node.name.value)


def _bound_names(function: cst.FunctionDef | None) -> set[str]:
    if function is None:
        return set()
    bindings = _Bindings()
    function.body.visit(bindings)
    return bindings.names


# -- rewriting -----------------------------------------------------------------


class _Rewriter(cst.CSTTransformer):
    def __init__(self, plan: _Plan, layout: Layout) -> None:
        self.plan = plan
        self.layout = layout

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        replacement = self.plan.calls.get(id(original_node))
        if replacement is None:
            return self.layout.fit_outer(original_node, updated_node)
        # Calls nested in the arguments were rewritten too: keep those rewrites.
        merged = replacement.with_changes(
            args=_merge_args(replacement.args, original_node, updated_node)
        )
        fitted = self.layout.fit_call(original_node, merged)
        return self.layout.fit_outer(original_node, fitted)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        class_plan = self.plan.inits.get(id(original_node))
        if class_plan is None or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        # Each layer right after what it needs, so __init__ can use it early on.
        layers = [(after, cst.parse_statement(code)) for after, code in class_plan.statements]
        body = [statement for after, statement in layers if after < 0]
        for index, statement in enumerate(updated_node.body.body):
            body.append(statement)
            body.extend(layer for after, layer in layers if after == index)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        class_plan = self.plan.classes.get(id(original_node))
        if class_plan is None or class_plan.init is not None:
            return updated_node
        assert isinstance(updated_node.body, cst.IndentedBlock)
        receiver = class_plan.init_receiver
        lines = [
            f"def __init__({receiver}, *args, **kwargs):",
            "    super().__init__(*args, **kwargs)",
            *(textwrap.indent(statement, "    ") for _, statement in class_plan.statements),
        ]
        init = cst.parse_statement("\n".join(lines) + "\n")
        body = list(updated_node.body.body)
        index = next(
            (i for i, s in enumerate(body) if isinstance(s, (cst.FunctionDef, cst.ClassDef))),
            len(body),
        )
        if index < len(body):
            # The blank lines before the next method go before __init__; its comments stay.
            follower = body[index]
            lines = list(follower.leading_lines)  # type: ignore[union-attr]
            blank = 0
            while blank < len(lines) and lines[blank].comment is None:
                blank += 1
            init = init.with_changes(leading_lines=lines[:blank])  # type: ignore[union-attr]
            follower_lines = [cst.EmptyLine(indent=False), *lines[blank:]]
            body[index] = follower.with_changes(leading_lines=follower_lines)  # type: ignore[union-attr]
        else:
            init = init.with_changes(leading_lines=[cst.EmptyLine(indent=False)])  # type: ignore[union-attr]
        body.insert(index, init)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.plan.import_edit is None:
            return updated_node
        body = apply_import_edit(list(updated_node.body), self.plan.import_edit)
        return updated_node.with_changes(body=body)


def _merge_args(planned: Sequence[cst.Arg], original: cst.Call, updated: cst.Call) -> list[cst.Arg]:
    """Planned args were built from the original call; take nested rewrites from updated."""
    by_original = {id(o): u for o, u in zip(original.args, updated.args)}
    merged = []
    for arg in planned:
        source = next((o for o in original.args if o.value is arg.value), None)
        if source is not None:
            arg = arg.with_changes(value=by_original[id(source)].value)
        merged.append(arg)
    return merged
