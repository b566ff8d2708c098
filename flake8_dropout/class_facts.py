"""What a class's own code says about its attributes: the facts the fixer needs
before it may add a layer (README, "The fix").

A layer `self.<name> = nn.Dropout(p)` is equivalent to the functional call only
if nothing else owns `<name>`, the layer exists whenever the call runs, and `p`
cannot change after `__init__`. This module reads one class body (every
method, also those under `if`/`try`) and reports what bears on that; the
planner in fix.py combines the facts of a class's family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from .analysis import ClassInfo, target_names

# Functions and methods that take an attribute's name as a string.
_NAMED_BY_STRING = {"setattr": 1, "getattr": 1, "hasattr": 1, "delattr": 1}
_REGISTERS = frozenset({"register_buffer", "register_parameter", "add_module", "register_module"})
# Calls that iterate a module's children: a new child would run, or be counted, there too.
CHILD_ITERATORS = frozenset({"children", "named_children", "modules", "named_modules", "_modules"})
# Methods that change the object they are called on (dict, list, set, config objects).
MUTATORS = frozenset(
    {
        "update",
        "setdefault",
        "pop",
        "popitem",
        "clear",
        "append",
        "extend",
        "insert",
        "remove",
        "add",
        "discard",
        "sort",
        "reverse",
        "__setitem__",
        "__setattr__",
        "__delitem__",
        "__delattr__",
        "__init__",
        "set",
        "merge_from_list",
        "merge_from_file",
        "merge",
        "freeze",
    }
)
# Hooks that see every attribute assignment or lookup of the instance.
ATTRIBUTE_HOOKS = frozenset({"__setattr__", "__getattr__", "__getattribute__", "__delattr__"})


def receiver_of(function: cst.FunctionDef | cst.Lambda) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def _root(node: cst.BaseExpression) -> tuple[str | None, str | None]:
    """(root name, first attribute) of `a.b.c[0].d`: ("a", "b")."""
    first = None
    while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
        if isinstance(node, cst.Attribute):
            first = node.attr.value
        node = node.func if isinstance(node, cst.Call) else node.value
    return (node.value if isinstance(node, cst.Name) else None), first


def _string(node: cst.BaseExpression) -> tuple[str | None, str | None]:
    """(whole text, fixed start) of a string literal; (None, None) if not a string."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 (bytes and odd escapes: not a name)
            return None, ""
        return (value, value) if isinstance(value, str) else (None, "")
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        start = first.value if isinstance(first, cst.FormattedStringText) else ""
        return None, start
    return None, None


@dataclass
class FunctionScan:
    """What one function (nested ones included) does with its receiver."""

    receiver: str | None
    aliases: dict[str, set[str]] = field(default_factory=dict)  # local -> receiver attributes
    seen: set[str] = field(default_factory=set)  # receiver attributes read or written
    written: set[str] = field(default_factory=set)  # attributes assigned or mutated
    nested_written: set[str] = field(default_factory=set)  # ... by nested functions
    prefixes: set[str] = field(default_factory=set)  # fixed starts of run-time names
    dynamic: str | None = None  # a run-time attribute name with no fixed start
    iterates: str | None = None  # a call iterating children, e.g. "modules"
    returns: bool = False  # a `return` outside nested functions


class _Scanner(cst.CSTVisitor):
    def __init__(self, scan: FunctionScan) -> None:
        self.scan = scan
        self.depth = 0  # nested functions and classes

    def _nested(self) -> bool:
        self.depth += 1
        return True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self._nested()

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return self._nested()

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self._nested()

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1

    def visit_Return(self, node: cst.Return) -> None:
        if self.depth == 0:
            self.scan.returns = True

    def _owner(self, node: cst.BaseExpression) -> set[str]:
        """Receiver attributes whose object `node` (a chain) reaches."""
        root, first = _root(node)
        if root is None:
            return set()
        if root == self.scan.receiver:
            return {first} if first is not None else set()
        return set(self.scan.aliases.get(root, ()))

    def _write(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._write(element.value)
            return
        if isinstance(target, cst.StarredElement):
            self._write(target.value)
            return
        if not isinstance(target, (cst.Attribute, cst.Subscript)):
            return
        owners = self._owner(target)
        (self.scan.nested_written if self.depth else self.scan.written).update(owners)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._write(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._write(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._write(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._write(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._write(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._write(node.asname.name)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.scan.receiver:
            self.scan.seen.add(node.attr.value)
        if node.attr.value in CHILD_ITERATORS and self.scan.iterates is None:
            self.scan.iterates = node.attr.value

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.value if isinstance(func, cst.Name) else None
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in MUTATORS:
                (self.scan.nested_written if self.depth else self.scan.written).update(
                    self._owner(func.value)
                )
            if method in _REGISTERS and node.args:
                self._named(node.args[0].value, self._owner(func.value) or _is(func.value, self))
            return
        if name in _NAMED_BY_STRING and len(node.args) > 1:
            obj = node.args[0].value
            self._named(node.args[1].value, _is(obj, self))
            if name in ("setattr", "delattr"):
                written = self.scan.nested_written if self.depth else self.scan.written
                written.update(self._owner(obj))
                text, _ = _string(node.args[1].value)
                if _is(obj, self) and text is not None:
                    written.add(text)

    def _named(self, arg: cst.BaseExpression, on_receiver: object) -> None:
        text, start = _string(arg)
        if text is not None:
            self.scan.seen.add(text)
        elif on_receiver:
            if start:
                self.scan.prefixes.add(start)
            elif self.scan.dynamic is None:
                self.scan.dynamic = self_code(arg)


def _is(node: cst.BaseExpression, scanner: _Scanner) -> bool:
    return isinstance(node, cst.Name) and node.value == scanner.scan.receiver


def self_code(node: cst.CSTNode) -> str:
    return " ".join(cst.Module([]).code_for_node(node).split())


class _Aliases(cst.CSTVisitor):
    """Local names bound to (part of) a receiver attribute: `cfg = self.cfg`."""

    def __init__(self, receiver: str | None) -> None:
        self.receiver = receiver
        self.found: dict[str, set[str]] = {}

    def _attributes(self, value: cst.CSTNode) -> set[str]:
        found: set[str] = set()
        receiver = self.receiver

        class Reads(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                if isinstance(node.value, cst.Name) and node.value.value == receiver:
                    found.add(node.attr.value)

        value.visit(Reads())
        return found

    def _bind(self, target: cst.BaseExpression, value: cst.CSTNode) -> None:
        attributes = self._attributes(value)
        if attributes:
            for name in target_names(target):
                self.found.setdefault(name, set()).update(attributes)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target, node.iter)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, node.item)


def scan_function(
    function: cst.FunctionDef | cst.Lambda,
    part: cst.CSTNode | None = None,
    receiver: str | None = None,
) -> FunctionScan:
    """Scan `part` of `function` (default: all of it), aliases taken from the whole."""
    receiver = receiver if receiver is not None else receiver_of(function)
    aliases = _Aliases(receiver)
    function.body.visit(aliases)
    scan = FunctionScan(receiver, aliases.found)
    (part if part is not None else function.body).visit(_Scanner(scan))
    return scan


def self_references(node: cst.CSTNode, receiver: str | None) -> set[str]:
    """Receiver attributes `node` names, with `forward` for `self(...)`."""
    found: set[str] = set()

    class References(cst.CSTVisitor):
        def visit_Attribute(self, inner: cst.Attribute) -> None:
            if isinstance(inner.value, cst.Name) and inner.value.value == receiver:
                found.add(inner.attr.value)

        def visit_Call(self, inner: cst.Call) -> None:
            if isinstance(inner.func, cst.Name) and inner.func.value == receiver:
                found.update(("forward", "__call__"))
            elif isinstance(inner.func, cst.Name) and inner.func.value == "getattr" and inner.args:
                first = inner.args[0].value
                if isinstance(first, cst.Name) and first.value == receiver and len(inner.args) > 1:
                    text, _ = _string(inner.args[1].value)
                    if text is not None:
                        found.add(text)

    if receiver is not None:
        node.visit(References())
    return found


def is_base_init(statement: cst.CSTNode, receiver: str) -> cst.Call | None:
    """`super().__init__(...)`, `super(Cls, self).__init__(...)`, `Base.__init__(self, ...)`."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    for small in statement.body:
        call = small.value if isinstance(small, cst.Expr) else None
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        if call.func.attr.value != "__init__":
            continue
        owner = call.func.value
        if (
            isinstance(owner, cst.Call)
            and isinstance(owner.func, cst.Name)
            and owner.func.value == "super"
        ):
            return call
        first = call.args[0].value if call.args else None
        if isinstance(first, cst.Name) and first.value == receiver:
            return call
    return None


@dataclass
class ClassFacts:
    """One class body's facts (see the module docstring)."""

    init: cst.FunctionDef | None  # the plain top-level __init__, if that is what binds it
    init_receiver: str | None
    init_problem: str | None  # why __init__ cannot take a layer (None: it can)
    base_init_index: int | None  # top-level statement of __init__ calling the base's
    assigned_in_init: dict[str, int]  # attribute -> last top-level statement assigning it
    init_statements: list[FunctionScan]  # one scan per top-level statement of __init__
    assigned_elsewhere: dict[str, str]  # attribute -> the method that may change it later
    class_attributes: set[str]  # unconditional assignments in the class body
    taken: set[str]  # every attribute or class-body name seen: new names avoid them
    prefixes: set[str]  # run-time attribute names start with these
    dynamic: str | None  # an attribute named at run time with no fixed start
    iterates: str | None  # "`self.modules()` in `forward`": the class runs every child
    hooks: str | None  # an attribute hook (`__setattr__`, ...) the class defines
    methods: dict[str, list[cst.FunctionDef | cst.Lambda]]  # every def of the body
    references: dict[str, set[str]]  # method -> receiver attributes it names
    # Attributes a plain top-level statement of __init__ sets, whatever path it takes
    # (`if aux: self.rate = 0.1` sets `rate` only on one path).
    set_on_every_path: set[str] = field(default_factory=set)


def _class_body(node: cst.ClassDef) -> Iterator[tuple[cst.CSTNode, bool]]:
    """Statements of the class body, entering if/try/with/for blocks; (statement, top)."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    stack: list[tuple[cst.CSTNode, bool]] = [(s, True) for s in reversed(body)]
    while stack:
        statement, top = stack.pop()
        yield statement, top
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        blocks = [child for child in statement.children if isinstance(child, _BLOCKS)]
        inner: list[cst.CSTNode] = []
        for block in blocks:
            inner.extend(_statements(block))
        stack.extend((s, False) for s in reversed(inner))


_BLOCKS = (cst.BaseSuite, cst.BaseCompoundStatement, cst.ExceptHandler, cst.Else, cst.Finally)


def _statements(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    if isinstance(node, cst.IndentedBlock):
        return node.body
    if isinstance(node, cst.SimpleStatementSuite):
        return [node]
    if isinstance(node, cst.BaseCompoundStatement):
        return [node]
    if hasattr(node, "body"):
        return _statements(node.body)
    return []


def class_facts(info: ClassInfo) -> ClassFacts:
    init: cst.FunctionDef | None = None
    init_bindings = 0
    init_problem = None
    class_attributes: set[str] = set()
    taken: set[str] = set()
    prefixes: set[str] = set()
    dynamic = iterates = hooks = None
    assigned_elsewhere: dict[str, str] = {}
    methods: dict[str, list[cst.FunctionDef | cst.Lambda]] = {}
    references: dict[str, set[str]] = {}
    for statement, top in _class_body(info.node):
        bound: list[str] = []
        values: list[cst.BaseExpression] = []
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            bound.append(statement.name.value)
        elif isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        bound += target_names(target.target)
                    values.append(small.value)
                elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
                    if small.value is not None:  # a bare `p: float` sets nothing
                        bound += target_names(small.target)
                        values.append(small.value)
                elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    for alias in small.names:
                        imported: cst.BaseExpression = (
                            alias.asname.name if alias.asname else alias.name
                        )
                        while isinstance(imported, cst.Attribute):
                            imported = imported.value
                        if isinstance(imported, cst.Name):
                            bound.append(imported.value)
        elif isinstance(statement, cst.For):
            bound += target_names(statement.target)
        taken.update(bound)
        if top and not isinstance(statement, cst.ClassDef):
            class_attributes.update(bound)
        if "__init__" in bound:
            init_bindings += 1
            if not (top and isinstance(statement, cst.FunctionDef)):
                init_problem = "`__init__` is not a plain method of the class"
            elif statement.decorators:
                init_problem = "`__init__` is decorated"
            else:
                init = statement
        for name in bound:
            if name in ATTRIBUTE_HOOKS and hooks is None:
                hooks = name
        functions: list[tuple[str, cst.FunctionDef | cst.Lambda]] = []
        if isinstance(statement, cst.FunctionDef):
            functions.append((statement.name.value, statement))
        for value in values:  # `forward = lambda self, x: ...`
            if isinstance(value, cst.Lambda):
                functions += [(name, value) for name in bound]
        for name, function in functions:
            methods.setdefault(name, []).append(function)
            scan = scan_function(function)
            references.setdefault(name, set()).update(self_references(function.body, scan.receiver))
            taken |= scan.seen | scan.written | scan.nested_written
            prefixes |= scan.prefixes
            dynamic = dynamic or scan.dynamic
            if iterates is None and scan.iterates is not None:
                iterates = f"`{scan.iterates}` in `{name}`"
            if function is init:
                for attribute in scan.nested_written:  # hooks and closures run later
                    assigned_elsewhere.setdefault(attribute, f"a function inside `{name}`")
            else:
                for attribute in scan.written | scan.nested_written:
                    assigned_elsewhere.setdefault(attribute, f"`{name}`")
    taken |= class_attributes
    if init_bindings > 1:
        init_problem = "`__init__` is bound more than once"
    if init_problem is not None:
        init = None
    init_receiver = receiver_of(init) if init is not None else None
    base_init_index = None
    assigned_in_init: dict[str, int] = {}
    init_statements: list[FunctionScan] = []
    set_on_every_path: set[str] = set()
    if init is not None and isinstance(init.body, cst.IndentedBlock):
        for index, inner in enumerate(init.body.body):
            if init_receiver is not None and is_base_init(inner, init_receiver):
                base_init_index = index  # the last one: after every base is set up
            scan = scan_function(init, inner, init_receiver)
            init_statements.append(scan)
            for attribute in scan.written:
                assigned_in_init[attribute] = index
            if isinstance(inner, cst.SimpleStatementLine):
                set_on_every_path |= scan.written
    return ClassFacts(
        init,
        init_receiver,
        init_problem,
        base_init_index,
        assigned_in_init,
        init_statements,
        assigned_elsewhere,
        class_attributes,
        taken,
        prefixes,
        dynamic,
        iterates,
        hooks,
        methods,
        references,
        set_on_every_path,
    )


class Taken(set):
    """A set of names that also holds every name starting with one of `prefixes`."""

    def __init__(self, names: Iterable[str] = (), prefixes: Iterable[str] = ()) -> None:
        super().__init__(names)
        self.prefixes = tuple(prefixes)

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or (
            isinstance(name, str) and bool(self.prefixes) and name.startswith(self.prefixes)
        )
