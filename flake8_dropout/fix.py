"""Findings -> fixed source: one libcst transformation per file, applied in one pass.

A call becomes a registered layer (`self.dropout(x)`, with `self.dropout =
nn.Dropout(...)` in `__init__`) when its `p` and `inplace` can be evaluated
there; otherwise `training=self.training` is written in place. Everything
else in the file is left byte for byte: libcst keeps it, and only the nodes
named here are replaced.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from .analysis import (
    ClassInfo,
    Scope,
    Site,
    find_argument,
)
from .class_facts import (
    MUTATORS,
    ClassFacts,
    is_base_init,
    self_references,
)
from .config import FIX_STYLES as STYLES  # one list: the flags, pyproject.toml, the fixer
from .engine import Finding, analyse_source, check, deep_recursion, pair_nodes
from .fix_family import ClassFamily
from .fix_layout import Layout, append_keyword, layer_statement
from .fix_spelling import (
    ImportEdit,
    LayerSpelling,
    apply_import_edit,
    has_comment,
    layer_attribute,
)
from .line_length import DEFAULT_LINE_LENGTH
from .noqa import NoqaLines
from .project import chain_members
from .rules import Applicability
from .settings import Settings
from .source import SourceError
from .torch_bases import torch_init_calls

#: libcst rewrites about 15-30 KB a second here and holds about 500 bytes per byte of source:
#: a larger file is reported, not fixed (the check never parses with libcst).
MAX_FIX_CHARS = 1_000_000
_TOO_LARGE = "not fixed: the file is over 1 MB (libcst would take minutes and gigabytes)"


@dataclass
class FixResult:
    source: str  # the fixed text; identical to the input when nothing changed
    fixed: list[Finding] = field(default_factory=list)  # findings this run rewrote
    # Every finding of the input (no-qa comments not applied): what remains if nothing changed.
    found: list[Finding] = field(default_factory=list)
    # Why a finding was fixed in place rather than as a layer, or not fixed at all.
    notes: dict[Finding, str] = field(default_factory=dict)


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
    if len(source) > MAX_FIX_CHARS:  # reported at the cost of a check, never rewritten
        found = check(source, settings)
        return FixResult(source, [], found, {f: f.note or _TOO_LARGE for f in found})
    checked = analyse_source(source, settings)
    found = sorted(checked.findings)
    notes = {f: f.note for f in found if f.note}
    if not checked.sites:
        return FixResult(source, [], found, notes)
    allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe else set())
    noqa = NoqaLines(source)
    chosen = []
    for site, finding in zip(checked.sites, checked.findings):
        if finding.applicability is Applicability.NONE or not selected(finding.code.value):
            continue
        if not only(finding):
            continue
        if noqa.suppresses(finding.line, finding.code.value):
            notes[finding] = "# noqa"
        elif finding.applicability not in allowed:
            notes[finding] = "an unsafe fix: needs --unsafe-fixes"
        else:
            chosen.append((site, finding))
    if not chosen:
        return FixResult(source, [], found, notes)
    module, written = checked.module, checked.written
    assert module is not None and written is not None  # the sites were found in them
    sites = [site for site, _ in chosen]
    try:
        with deep_recursion():
            pairs = pair_nodes(module, written) if written is not module else None
            layout = Layout(written, source, line_length)  # the file as it is written
            planner = _Planner(
                module,
                sites,
                checked.classes,
                settings,
                style,
                layout,
                (lambda node: pairs[id(node)]) if pairs is not None else (lambda node: node),
            )
            plan = planner.plan()
            fixed = written.visit(_Rewriter(plan, layout)).code
    except RecursionError:
        raise SourceError("too deeply nested for libcst to rewrite") from None
    ending = source[len(source.rstrip("\r\n")) :]
    if ending and not fixed.endswith(ending):  # libcst drops a final lone "\r"
        fixed = fixed.rstrip("\r\n") + ending
    for site, finding in chosen:
        reason = plan.notes.get(id(site))
        if reason is not None:
            notes[finding] = "in place: " + reason
    return FixResult(fixed, sorted(finding for _, finding in chosen), found, notes)


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
    notes: dict[int, str] = field(default_factory=dict)  # id(site) -> why it is fixed in place


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


class _Planner:
    def __init__(
        self,
        module: cst.Module,
        sites: list[Site],
        classes: list[ClassInfo],
        settings: Settings,
        style: str,
        layout: Layout,
        written: Callable[[cst.CSTNode], cst.CSTNode] = lambda node: node,
    ):
        self.module = module
        self.classes = classes
        self.sites = sites
        self.style = style
        self.settings = settings
        # The file's own node for a node of `module` (which may have NFKC names).
        self.written = written
        self.plan_ = _Plan()
        self.module_scope = _module_scope(sites)
        self.module_writes = _module_writes(module)
        self.layout = layout
        self.project = settings.project  # the CLI's view of bases in other files
        self.spelling = LayerSpelling(module, self.module_scope, layout.line_length)
        self.family = ClassFamily(module, classes, settings.project)

    def plan(self) -> _Plan:
        for site in self.sites:
            if self.style != "layer":
                self._plan_argument(site)  # asked for: no reason to give
                continue
            reason = self._plan_layer(site)
            if reason is not None:
                self._plan_argument(site)
                self.plan_.notes[id(site)] = reason
        self.plan_.import_edit = self.spelling.import_edit()
        return self.plan_

    def _code(self, node: cst.CSTNode) -> str:
        return " ".join(self.module.code_for_node(node).split())

    def _facts(self, info: ClassInfo) -> ClassFacts:
        return self.family.facts(info)

    # -- argument form ---------------------------------------------------------

    def _plan_argument(self, site: Site) -> None:
        receiver = site.receiver
        assert receiver is not None
        value = cst.Attribute(cst.Name(receiver), cst.Name("training"))
        call = self.written(site.node)
        assert isinstance(call, cst.Call)
        if site.training is not None:
            index = next(i for i, arg in enumerate(site.node.args) if arg is site.training)
            args = [
                arg.with_changes(value=value) if i == index else arg
                for i, arg in enumerate(call.args)
            ]
        else:
            args = append_keyword(call, site.function.training_keyword, value)
        self.plan_.calls[id(call)] = call.with_changes(args=args)

    # -- layer form ------------------------------------------------------------

    def _plan_layer(self, site: Site) -> str | None:
        """Plan a layer for `site`; else the reason the call is fixed in place."""
        function = site.function
        receiver = site.receiver
        info = site.klass
        if function.layer is None:
            return f"no layer computes `{function.name}`"
        if receiver is None:
            return "no receiver"
        if not isinstance(info.node.body, cst.IndentedBlock):
            return "the class body is on one line"
        if info.node.decorators:
            return "the class is decorated"
        ancestors, torch_bases, unseen = self.family.lineage(info)
        if unseen is not None:
            return unseen
        method = site.method.node
        if not isinstance(method, cst.FunctionDef):
            return "the call is in a lambda of the class body"
        if method.name.value == "__init__":
            return "the call is in `__init__`, before a layer could exist"
        call = site.node
        input_arg = find_argument(call.args, "input", 0)[1]
        if input_arg is None:
            return "the input is not a plain argument"
        p_arg = find_argument(call.args, "p", 1)[1]
        inplace_arg = find_argument(call.args, "inplace", 3)[1]
        known = {id(a) for a in (input_arg, p_arg, inplace_arg, site.training) if a is not None}
        if any(id(arg) not in known for arg in call.args):
            return "an argument the layer cannot take"
        if has_comment(call):
            return "the call holds a comment"
        if function.layer in _IGNORE_INPLACE and not _is_false(inplace_arg):
            return f"`nn.{function.layer}` ignores `inplace`"
        descendants = self.family.descendants(info)
        problem = self.family.family_problem([info, *ancestors, *descendants], torch_bases)
        if problem is not None:
            return problem
        facts = self._facts(info)
        if facts.init_problem is not None:
            return facts.init_problem
        if facts.init is None:
            init_receiver, after = receiver, -1
            init_names = {receiver}
        elif facts.init_receiver is None:
            return "`__init__` takes no receiver"
        elif facts.base_init_index is None:
            return "`__init__` calls no base initialiser"
        else:
            init_receiver, after = facts.init_receiver, facts.base_init_index
            init_names = info.names_in(facts.init)
        spelled = self.spelling.spell(function.layer)
        if spelled.split(".", 1)[0] in init_names:
            return f"`{spelled.split('.', 1)[0]}` means something else in `__init__`"
        pieces: list[str] = []
        for keyword, arg in (("p", p_arg), ("inplace", inplace_arg)):
            if arg is None:
                continue
            placed = self._movable(arg.value, site, facts, descendants, keyword)
            if isinstance(placed, str):
                return placed
            after = max(after, placed)
            moved = arg.value.visit(_Rename(receiver, init_receiver))
            assert isinstance(moved, cst.BaseExpression)  # _Rename removes nothing
            pieces.append(f"{keyword}={self._code(moved)}")
        project_names, project_reassigned, project_init = chain_members(info, self.project)
        for arg in (p_arg, inplace_arg):
            reads = _reads(arg.value, receiver) if arg is not None else None
            for changed in sorted(reads[1] & project_reassigned if reads else ()):
                return f"`{receiver}.{changed}` may be changed by a base in another file"
        if any(scan.returns for scan in facts.init_statements[: after + 1]):
            return "`__init__` may return before the layer is set"
        problem = self._skipped_by_subclass(info, descendants)
        if problem is None:
            problem = self._runs_before_layer(
                site, facts, after, ancestors, torch_bases, descendants, project_init
            )
        if problem is not None:
            return problem
        key = (function.layer, ", ".join(pieces))
        class_plan = self.plan_.classes.get(id(info.node))
        attribute = class_plan.layers.get(key) if class_plan is not None else None
        statement = None
        if attribute is None:
            taken = self.family.taken_in_family(info)
            taken |= {n for n in project_names if not n.endswith("*")}
            taken.prefixes += tuple(n[:-1] for n in project_names if n.endswith("*"))
            planned = [n for plan in self.plan_.classes.values() for n in plan.layers.values()]
            rate = p_arg.value if p_arg is not None else None
            attribute = layer_attribute(function.layer, rate, taken, planned)
            blocking = [p for p in taken.prefixes if attribute.startswith(p)]
            if blocking:
                return f"attribute names starting `{blocking[0]}` are set at run time"
            # Inside __init__, or one level inside the class for a new __init__.
            owner = self.written(facts.init if facts.init is not None else info.node)
            assert isinstance(owner, (cst.FunctionDef, cst.ClassDef))
            indent = self.layout.body_indent(owner) + (
                "" if facts.init is not None else self.layout.unit
            )
            target = f"{init_receiver}.{attribute}"
            code = layer_statement(
                target, spelled, pieces, indent, self.layout.line_length, self.layout.unit
            )
            statement = (after, code)
        if class_plan is None:
            class_plan = _ClassPlan(info, facts.init, init_receiver)
            self.plan_.classes[id(self.written(info.node))] = class_plan
            self.plan_.classes[id(info.node)] = class_plan
            if facts.init is not None:
                self.plan_.inits[id(self.written(facts.init))] = class_plan
        if statement is not None:
            self.spelling.use(spelled)
            facts.taken.add(attribute)
            class_plan.layers[key] = attribute
            class_plan.statements.append(statement)
        written_call = self.written(call)
        assert isinstance(written_call, cst.Call)
        index = next(i for i, arg in enumerate(call.args) if arg is input_arg)
        only_input = written_call.args[index].with_changes(
            keyword=None,
            equal=cst.MaybeSentinel.DEFAULT,
            comma=cst.MaybeSentinel.DEFAULT,
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
        self.plan_.calls[id(written_call)] = written_call.with_changes(
            func=cst.Attribute(cst.Name(receiver), cst.Name(attribute)),
            args=[only_input],
            whitespace_before_args=cst.SimpleWhitespace(""),
        )
        return None

    def _skipped_by_subclass(self, info: ClassInfo, descendants: list[ClassInfo]) -> str | None:
        """Why a same-file subclass may be built without running `info.__init__`."""
        for child in descendants:
            facts = self._facts(child)
            name = child.node.name.value
            if facts.init_problem is not None:
                return f"the subclass `{name}`: {facts.init_problem}"
            if facts.init is None:
                continue  # inherits it
            if not isinstance(facts.init.body, cst.IndentedBlock):
                return f"the subclass `{name}` has a one-line `__init__`"
            reached = False
            for statement, scan in zip(facts.init.body.body, facts.init_statements):
                call = is_base_init(statement, facts.init_receiver or "")
                if call is not None:
                    reached = self.family.init_call_reaches(child, call, info)
                    break
                if scan.returns:
                    break
            if not reached:
                return f"the subclass `{name}` may skip this class's `__init__`"
        return None

    def _runs_before_layer(
        self,
        site: Site,
        facts: ClassFacts,
        after: int,
        ancestors: list[ClassInfo],
        torch_bases: list[str],
        descendants: list[ClassInfo],
        project_init: set[str],
    ) -> str | None:
        """Why the call's method may run before `__init__` sets the layer (a sizing pass)."""
        method = site.method.node
        assert isinstance(method, cst.FunctionDef)
        reached: set[str] = set()
        if facts.init is not None:
            assert isinstance(facts.init.body, cst.IndentedBlock)
            for statement in facts.init.body.body[: after + 1]:
                reached |= self_references(statement, facts.init_receiver)
        for ancestor in ancestors:
            init = self._facts(ancestor).init
            if init is not None:
                reached |= self_references(init.body, self._facts(ancestor).init_receiver)
        for key in torch_bases:
            reached |= torch_init_calls(key)
        reached |= project_init  # what a base in another file calls in its __init__
        for child in descendants:
            child_facts = self._facts(child)
            if child_facts.init is None or not isinstance(child_facts.init.body, cst.IndentedBlock):
                continue  # a one-line __init__ was refused by _skipped_by_subclass
            for statement in child_facts.init.body.body:
                if is_base_init(statement, child_facts.init_receiver or ""):
                    break
                reached |= self_references(statement, child_facts.init_receiver)
        references: dict[str, set[str]] = {}
        for member in [site.klass, *ancestors, *descendants]:
            for name, names in self._facts(member).references.items():
                references.setdefault(name, set()).update(names)
        todo = list(reached)
        while todo:
            for name in references.get(todo.pop(), ()):
                if name not in reached:
                    reached.add(name)
                    todo.append(name)
        if method.name.value in reached:
            return f"`{method.name.value}` may run before `__init__` sets the layer"
        return None

    def _movable(
        self,
        expr: cst.BaseExpression,
        site: Site,
        facts: ClassFacts,
        descendants: list[ClassInfo],
        keyword: str,
    ) -> int | str:
        """Index in __init__ after which `expr` can be evaluated, or why it cannot."""
        receiver = site.receiver
        assert receiver is not None
        reads = _reads(expr, receiver)
        if reads is None:
            return f"{keyword} is computed at each call (`{self._code(expr)}`)"
        names, attributes = reads
        init_names = site.klass.names_in(facts.init)
        after = -1
        for name in sorted(names):
            if name == receiver:
                return f"{keyword} reads the module itself"
            scope = site.scope.defining(name)
            if scope is not None and scope is not self.module_scope:
                return f"{keyword} reads the local `{name}`"
            if name in init_names:
                return f"`{name}` means something else in `__init__`"
            if name in self.module_writes:
                return f"{keyword} reads `{name}`, which {self.module_writes[name]}"
        reassigned = dict(facts.assigned_elsewhere)
        for ancestor in self.family.ancestors(site.klass):
            for attribute, where in self._facts(ancestor).assigned_elsewhere.items():
                reassigned.setdefault(attribute, where)
        for child in descendants:  # a subclass may set it after super()
            child_facts = self._facts(child)
            for attribute, where in child_facts.assigned_elsewhere.items():
                reassigned.setdefault(attribute, where)
            for attribute in child_facts.assigned_in_init:
                reassigned.setdefault(attribute, f"the subclass `{child.node.name.value}`")
        for attribute in sorted(attributes):
            if attribute in reassigned:
                return f"{keyword} reads `{receiver}.{attribute}`, which {reassigned[attribute]} may change"
            if attribute in facts.assigned_in_init:
                if not (
                    attribute in facts.set_on_every_path or attribute in facts.class_attributes
                ):
                    return (
                        f"{keyword} reads `{receiver}.{attribute}`, "
                        "which `__init__` sets on some paths only"
                    )
                index = facts.assigned_in_init[attribute]
                after = max(after, index)
                assert facts.init is not None and isinstance(facts.init.body, cst.IndentedBlock)
                held = _names_in(facts.init.body.body[index]) - init_names
                for name in sorted(held & set(self.module_writes)):
                    return f"{keyword} reads `{receiver}.{attribute}`, set from `{name}`, which {self.module_writes[name]}"
            elif attribute not in facts.class_attributes:
                return f"{keyword} reads `{receiver}.{attribute}`, which `__init__` does not set"
        return after


_IGNORE_INPLACE = frozenset({"AlphaDropout", "FeatureAlphaDropout"})  # their forward ignores it


def _is_false(arg: cst.Arg | None) -> bool:
    return arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "False")


def _module_scope(sites: list[Site]) -> Scope:
    scope = sites[0].scope
    while scope.parent is not None:
        scope = scope.parent
    return scope


def _names_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, inner: cst.Name) -> None:
            names.add(inner.value)

    node.visit(Names())
    return names


class _ModuleWrites(cst.CSTVisitor):
    """Names whose object may change after a layer froze it: `global` rebinding,
    attribute or item writes through the name, and mutating calls on it."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def _changed(self, node: cst.BaseExpression) -> None:
        if isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._changed(element.value)
            return
        if isinstance(node, cst.StarredElement):
            self._changed(node.value)
            return
        if not isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
            return
        while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
            node = node.func if isinstance(node, cst.Call) else node.value
        if isinstance(node, cst.Name):
            self.found.setdefault(node.value, "is changed elsewhere in the file")

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.found[item.name.value] = "is rebound through `global`"

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._changed(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._changed(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._changed(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._changed(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._changed(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS:
            self._changed(func.value)
        elif isinstance(func, cst.Name) and func.value in ("setattr", "delattr") and node.args:
            self._changed(cst.Attribute(node.args[0].value, cst.Name("x")))


def _module_writes(module: cst.Module) -> dict[str, str]:
    """Name -> how the file may change what it holds (see _ModuleWrites)."""
    visitor = _ModuleWrites()
    module.visit(visitor)
    return visitor.found


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
        body: list[cst.BaseStatement] = [statement for after, statement in layers if after < 0]
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
        # Parameter names that no layer's `p` reads: `args.dropout` may be a module-level `args`.
        read = {receiver, "super"}
        for _, statement in class_plan.statements:
            read |= _names_in(cst.parse_statement(statement))
        args, kwargs = _unused("args", read), _unused("kwargs", read)
        lines = [
            f"def __init__({receiver}, *{args}, **{kwargs}):",
            f"    super().__init__(*{args}, **{kwargs})",
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
            assert isinstance(follower, (cst.FunctionDef, cst.ClassDef))  # as `index` was found
            leading = list(follower.leading_lines)
            blank = 0
            while blank < len(leading) and leading[blank].comment is None:
                blank += 1
            init = init.with_changes(leading_lines=leading[:blank])
            follower_lines = [cst.EmptyLine(indent=False), *leading[blank:]]
            body[index] = follower.with_changes(leading_lines=follower_lines)
        else:
            init = init.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        body.insert(index, init)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.plan.import_edit is None:
            return updated_node
        body = apply_import_edit(list(updated_node.body), self.plan.import_edit)
        return updated_node.with_changes(body=body)


def _unused(base: str, taken: set[str]) -> str:
    """`base`, else `base_1`, `base_2`, ...: the first not in `taken`."""
    name, number = base, 0
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    return name


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
