"""The project's own classes: bases imported from other files of the same project.

flake8 hands the plugin one file at a time. The command line knows where that
file lives, so the fixer can follow a base class imported from another file of
the project (`from .base import BaseModel`, `from cogdl.models import
BaseModel`): when every base on the chain is seen (torch's, a configured
module base, or another class of the project), a layer can be added to the
subclass, named apart from every attribute and method the chain uses.

Only the files on a base chain are read, with `ast`, each once per process.
Imports are resolved as Python would: relative ones from the file's package,
absolute ones from the folder that holds the file's top-level package.

A class's facts are a pure function of its file (path and stamp), its name, the
settings and the files its chain was read from, so they are kept per process
(`_FACTS`): a large base such as transformers' `PreTrainedModel` is walked once,
not once per subclass file, and answered again while no file on its chain moved.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from .module_files import Stamp, import_root, module_file, parsed, stamp
from .semantics import AST_SYNTAX, ast_import_bindings, chain
from .settings import Settings

if TYPE_CHECKING:  # imported when a lookup runs: the judge has loaded them by then
    from .judge import Classifier, ClassInfo, Kind
    from .star_imports import Exports

_CONTAINERS = frozenset(
    {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}
)
_MAX_DEPTH = 16  # import re-exports and base chains longer than this are not followed


@dataclass(frozen=True, eq=False)
class ProjectClass:
    """What the judge and the fixer need to know of a base class defined in another file.

    The judge needs only `kind`, read from the bases and whether the class
    defines `forward`; what the chain does with attributes is the fixer's, and
    walking every method of a large base (transformers' `PreTrainedModel`: 127)
    is left until the fixer asks.
    """

    kind: Kind
    node: ast.ClassDef = field(repr=False)
    # no decorator or metaclass, every base seen (a torch class of the table or a project
    # class; a `module-bases` entry is not), none a container or a base that runs over its
    # children
    bases_seen: bool
    parents: tuple[ProjectClass, ...] = ()  # the project classes among its bases
    torch_names: frozenset[str] = frozenset()  # what its torch bases own
    torch_init_calls: frozenset[str] = frozenset()  # what its torch bases' __init__ reaches

    @cached_property
    def _chain(self) -> tuple[bool, frozenset[str], frozenset[str], frozenset[str]]:
        members = _members(self.node)
        parents = self.parents
        complete = self.bases_seen and members.plain and all(p.complete for p in parents)
        names = self.torch_names.union(members.names, *(p.names for p in parents))
        reassigned = members.reassigned.union(*(p.reassigned for p in parents))
        init_calls = self.torch_init_calls.union(
            members.init_calls, *(p.init_calls for p in parents)
        )
        return complete, frozenset(names), frozenset(reassigned), frozenset(init_calls)

    @property
    def complete(self) -> bool:
        """Every base on the chain is seen, and none runs over its children, defines an
        attribute hook or names attributes at run time."""
        return self._chain[0]

    @property
    def names(self) -> frozenset[str]:
        """Attributes and methods the chain sets, reads or defines."""
        return self._chain[1]

    @property
    def reassigned(self) -> frozenset[str]:
        """Attributes the chain's methods other than `__init__` assign."""
        return self._chain[2]

    @property
    def init_calls(self) -> frozenset[str]:
        """Receiver attributes the chain's `__init__` reaches (methods it may call on a subclass)."""
        return self._chain[3]


def _dotted(node: ast.expr) -> str | None:
    """A base's dotted name, read through subscripts (`Generic[T]`) as the judge reads it."""
    found = chain(AST_SYNTAX, node)
    return None if found is None else found[0] + found[1]


@dataclass
class _File:
    """One project file: its top-level classes and the import target of each name."""

    path: str
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # name -> dotted target

    @classmethod
    def of(cls, path: str, tree: ast.Module) -> _File:
        """The file's classes and imports (read-only: shared by every lookup of the process)."""
        found = cls(path)
        for statement in tree.body:
            if isinstance(statement, ast.ClassDef):
                found.classes[statement.name] = statement
                found.imports.pop(statement.name, None)
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                for bound, target in ast_import_bindings(statement):
                    found.imports[bound] = target
                    found.classes.pop(bound, None)
        return found

    def target(self, dotted: str) -> str | None:
        """The import target of a dotted name used in this file, None if not imported."""
        head, _, rest = dotted.partition(".")
        imported = self.imports.get(head)
        if imported is None:
            return None
        return f"{imported}.{rest}" if rest else imported


@lru_cache(maxsize=1024)
def _file(path: str, found: Stamp) -> _File | None:
    """The file's `_File`, once per process while its stamp holds."""
    read = parsed(path, found)
    return _File.of(path, read[1]) if read is not None else None


@dataclass(frozen=True)
class _Facts:
    """One class's facts and every (file, stamp) they were read from."""

    result: ProjectClass | None
    files: tuple[tuple[str, Stamp], ...]


#: (file, stamp, class name, settings) -> facts. Only facts that do not depend on where
#: the walk started are kept: none that met a cycle or the depth limit.
_FACTS: dict[tuple[str, Stamp, str, Settings], _Facts] = {}
_MAX_FACTS = 4096


class ProjectClasses:
    """Resolves the import targets of one file to classes of its project."""

    def __init__(self, path: str, settings: Settings) -> None:
        self.path = os.path.abspath(path)
        self.settings = replace(settings, project=None)
        self._classifier: Classifier | None = None
        self._classes: dict[tuple[str, str], ProjectClass | None] = {}
        self._targets: dict[str, ProjectClass | None] = {}
        #: Every project file read, with its (mtime_ns, size): what the findings depend on.
        self.read: dict[str, Stamp] = {}
        # every file read, in order, repeats included: the files one class's facts came from
        self._trail: list[tuple[str, Stamp]] = []
        # how often a walk met a cycle or the depth limit, and the classes whose facts did
        self._cuts = 0
        self._cut: set[tuple[str, str]] = set()

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            from .judge import Classifier

            self._classifier = Classifier(self.settings)
        return self._classifier

    def star_exports(self, module: str | None, level: int) -> Exports | None:
        """What `from <module> import *` in this file binds, read from the module's source.

        Every file read becomes one the findings depend on (see `read`).
        """
        from .star_imports import star_names

        found = star_names(module, level, importer=self.path)
        if found is not None:
            self.read.update(found.files)
        return found

    def lookup(self, target: str) -> ProjectClass | None:
        """The project class an import target of this file names (None: not one we can see)."""
        if target not in self._targets:
            self._targets[target] = self._resolve(self.path, target, 0)
        return self._targets[target]

    def _read(self, path: str) -> _File | None:
        """The file's classes and imports; the file becomes one the findings depend on."""
        found = stamp(path)
        if found is None:
            return None
        self.read[path] = found
        self._trail.append((path, found))
        return _file(path, found)

    def _resolve(self, importer: str, target: str, depth: int) -> ProjectClass | None:
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        located = self._locate(importer, target)
        if located is None:
            return None
        path, name = located
        found = self._read(path)
        if found is None:
            return None
        if name in found.classes:
            return self._class(found, name, depth)
        reexported = found.imports.get(name)
        if reexported is not None:  # `from .base import BaseModel` in a package __init__
            return self._resolve(path, reexported, depth + 1)
        return None

    def _locate(self, importer: str, target: str) -> tuple[str, str] | None:
        """(file, class name in it) for a dotted import target seen from `importer`."""
        level = len(target) - len(target.lstrip("."))
        parts = [p for p in target.lstrip(".").split(".") if p]
        if not parts:
            return None
        if level:
            folder = os.path.dirname(importer)
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
        else:
            folder = import_root(os.path.dirname(importer))
        if len(parts) > 1:
            module = module_file(folder, parts[:-1])
        elif level:  # `from . import Base`: a name of the package's __init__.py
            init = os.path.join(folder, "__init__.py")
            module = init if os.path.isfile(init) else None
        else:
            module = None  # a bare top-level name is a module, not a class
        return (module, parts[-1]) if module is not None else None

    def _class(self, found: _File, name: str, depth: int) -> ProjectClass | None:
        """The facts of class `name` of `found`: kept per process when they are pure."""
        key = (found.path, name)
        if key in self._classes:
            if self._classes[key] is None or key in self._cut:
                self._cuts += 1  # a cycle, or facts that met one
            return self._classes[key]
        shared = (found.path, self.read[found.path], name, self.settings)
        known = _FACTS.get(shared)
        if known is not None and all(stamp(path) == was for path, was in known.files):
            self.read.update(known.files)
            self._trail.extend(known.files)
            self._classes[key] = known.result
            return known.result
        start, cuts = len(self._trail), self._cuts
        self._classes[key] = None  # a cycle resolves to "not seen"
        result = self._facts(found, name, depth)
        self._classes[key] = result
        if self._cuts != cuts:
            self._cut.add(key)
        else:
            if len(_FACTS) >= _MAX_FACTS:
                _FACTS.clear()
            files = tuple(dict.fromkeys(self._trail[start:]))
            _FACTS[shared] = _Facts(result, files)
        return result

    def _facts(self, found: _File, name: str, depth: int) -> ProjectClass | None:
        from .judge import Kind
        from .torch_bases import (
            EMPTY_BASES,
            torch_class,
            torch_init_calls,
            torch_iterates_children,
            torch_owned,
        )

        node = found.classes[name]
        kinds: set[Kind] = set()
        seen = not node.decorator_list and not node.keywords  # a metaclass may do anything
        names: set[str] = set()
        init_calls: set[str] = set()
        parents: list[ProjectClass] = []
        for base in node.bases:
            dotted = _dotted(base)
            if dotted is None:
                kinds.add(Kind.UNKNOWN)
                seen = False
                continue
            if dotted in found.classes and dotted != name:
                parent = self._class(found, dotted, depth + 1)
            else:
                target = found.target(dotted)
                kind = self.classifier.name_kind(target) if target is not None else Kind.UNKNOWN
                if kind is not Kind.UNKNOWN:
                    kinds.add(kind)
                    table = torch_class(target) if target is not None else None
                    if table is None or torch_iterates_children(table):
                        seen = seen and target in EMPTY_BASES
                    else:
                        owned, prefixes = torch_owned(table)
                        names |= owned | {f"{prefix}*" for prefix in prefixes}
                        init_calls |= torch_init_calls(table)
                    if target is not None and target.rsplit(".", 1)[1] in _CONTAINERS:
                        seen = False
                    continue
                parent = self._resolve(found.path, target, depth + 1) if target else None
            if parent is None:
                kinds.add(Kind.UNKNOWN)
                seen = False
                continue
            kinds.add(parent.kind)
            parents.append(parent)
        if Kind.MODULE in kinds:
            kind = Kind.MODULE
        elif Kind.FUNCTION in kinds:
            kind = Kind.FUNCTION
        elif Kind.UNKNOWN in kinds:
            kind = Kind.MODULE if _defines_forward(node) else Kind.UNKNOWN
        else:
            kind = Kind.NOT_MODULE
        return ProjectClass(
            kind, node, seen, tuple(parents), frozenset(names), frozenset(init_calls)
        )


@dataclass
class _Members:
    names: set[str] = field(default_factory=set)  # used, set or defined
    reassigned: set[str] = field(default_factory=set)  # assigned outside __init__'s own body
    init_calls: set[str] = field(default_factory=set)  # reached from __init__
    plain: bool = True  # no child iteration, attribute hook or run-time attribute name


_NAMED = {"setattr": 1, "getattr": 1, "hasattr": 1, "delattr": 1}
_REGISTERS = frozenset({"register_buffer", "register_parameter", "add_module", "register_module"})


def _class_statements(node: ast.ClassDef) -> list[ast.stmt]:
    """The class body, entering if/try/with/for blocks (not functions or classes)."""
    found: list[ast.stmt] = []
    pending = list(node.body)
    while pending:
        statement = pending.pop(0)
        found.append(statement)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for block in ("body", "orelse", "finalbody", "handlers"):
            pending.extend(getattr(statement, block, ()))
    return found


def _defines_forward(node: ast.ClassDef) -> bool:
    """A `forward` method makes a class with unseen bases a module class (as the judge)."""
    return any(
        isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
        and statement.name == "forward"
        for statement in _class_statements(node)
    )


def _root(node: ast.expr) -> tuple[str | None, str | None]:
    """(root name, first attribute) of `a.b.c[0].d`: ("a", "b")."""
    first = None
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute):
            first = node.attr
        node = node.func if isinstance(node, ast.Call) else node.value
    return (node.id if isinstance(node, ast.Name) else None), first


def _walk(method: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[tuple[ast.AST, bool]]:
    """Every node of a method once, with whether it lies in a nested `def` or `lambda`."""
    pending: list[tuple[ast.AST, bool]] = [(method, False)]
    while pending:
        node, nested = pending.pop()
        yield node, nested
        below = nested or (node is not method and isinstance(node, (ast.FunctionDef, ast.Lambda)))
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                pending.append((value, below))
            elif isinstance(value, list):
                pending.extend((item, below) for item in value if isinstance(item, ast.AST))


def _method(
    statement: ast.FunctionDef | ast.AsyncFunctionDef,
    receiver: str | None,
    found: _Members,
    referenced: set[str],
) -> None:
    """What one method does with the receiver's attributes, in one walk of its nodes.

    Writes through an alias (`cfg = self.cfg`) are told apart once the walk has seen
    every alias, wherever in the method it is bound.
    """
    from .class_facts import CHILD_ITERATORS, MUTATORS

    aliases: set[str] = set()
    removed: list[tuple[str | None, str | None]] = []  # setattr/delattr(root.first..., ...)
    written: list[tuple[str | None, str | None]] = []  # mutated, assigned or deleted
    init = statement.name == "__init__"
    for inner, nested in _walk(statement):
        if isinstance(inner, (ast.Assign, ast.For)):
            value = inner.value if isinstance(inner, ast.Assign) else inner.iter
            if _root(value)[0] == receiver:
                targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                for target in targets:
                    aliases.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            continue
        if isinstance(inner, ast.Attribute):
            if inner.attr in CHILD_ITERATORS:
                found.plain = False
            if isinstance(inner.value, ast.Name) and inner.value.id == receiver:
                found.names.add(inner.attr)
                referenced.add(inner.attr)
        elif isinstance(inner, ast.Call):
            func = inner.func
            name = func.id if isinstance(func, ast.Name) else None
            named = None
            if name in _NAMED and len(inner.args) > 1:
                named = inner.args[1]
                if name in ("setattr", "delattr"):
                    removed.append(_root(inner.args[0]))
            elif isinstance(func, ast.Attribute) and func.attr in _REGISTERS and inner.args:
                named = inner.args[0]
            elif isinstance(func, ast.Attribute) and func.attr in MUTATORS:
                written.append(_root(func.value))
            if named is not None:
                if isinstance(named, ast.Constant) and isinstance(named.value, str):
                    found.names.add(named.value)
                elif (
                    isinstance(named, ast.JoinedStr)
                    and named.values
                    and isinstance(named.values[0], ast.Constant)
                    and isinstance(named.values[0].value, str)  # always, in an f-string
                ):
                    found.names.add(f"{named.values[0].value}*")
                else:
                    found.plain = False  # any name at run time
            continue
        if not isinstance(inner, (ast.Attribute, ast.Subscript)):
            continue
        if not isinstance(inner.ctx, (ast.Store, ast.Del)):
            continue
        if init and not nested:
            continue  # __init__'s own writes happen before any layer
        # `self.p = ...`, `self.cfg.p = ...`, `cfg.p = ...` (cfg = self.cfg): it changes
        written.append(_root(inner))
    for root, first in removed:
        if root in aliases or (root == receiver and first):
            found.reassigned.add(first or "")
    for root, first in written:
        if first is not None and (root == receiver or root in aliases):
            found.reassigned.add(first)


def _members(node: ast.ClassDef) -> _Members:
    """What one class's body and methods do with the instance's attributes."""
    from .class_facts import ATTRIBUTE_HOOKS

    found = _Members()
    methods: dict[str, set[str]] = {}  # method -> receiver attributes it names
    for statement in _class_statements(node):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.names.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                found.names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            found.names.update((a.asname or a.name).split(".")[0] for a in statement.names)
        if found.names & ATTRIBUTE_HOOKS:
            found.plain = False
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        arguments = [*statement.args.posonlyargs, *statement.args.args]
        receiver = arguments[0].arg if arguments else None
        referenced = methods.setdefault(statement.name, set())
        _method(statement, receiver, found, referenced)
    pending = list(methods.get("__init__", ()))
    while pending:
        name = pending.pop()
        if name not in found.init_calls:
            found.init_calls.add(name)
            pending.extend(methods.get(name, ()))
    return found


def chain_members(
    info: ClassInfo, project: ProjectClasses | None
) -> tuple[set[str], set[str], set[str]]:
    """(names used, attributes reassigned, attributes `__init__` reaches) by the
    project classes `info` inherits from.

    Same-file bases are walked too: their own members are the fixer's to see, the
    project classes above them are gathered here.
    """
    from .analysis import ClassInfo, qualify

    names: set[str] = set()
    reassigned: set[str] = set()
    init_calls: set[str] = set()
    if project is None:
        return names, reassigned, init_calls
    seen: set[int] = set()
    pending = [info]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for base in current.bases:
            target = qualify(base, current.scope)
            if isinstance(target, ClassInfo):
                pending.append(target)
            elif isinstance(target, str):
                found = project.lookup(target)
                if found is not None:
                    names |= found.names
                    reassigned |= found.reassigned
                    init_calls |= found.init_calls
    return names, reassigned, init_calls
