"""What `from M import *` binds, found by reading M's source: nothing is imported.

fastai and tsai code gets `F` and `nn` only from `from fastai.vision.all import *`,
which re-exports them through a chain of star imports down to fastai's
`torch_imports.py` (`import torch.nn.functional as F`). To see such a call, the
names a star import binds are worked out statically, as Python would bind them:

- the module's `__all__`, when it is a literal list or tuple of strings (also
  grown by `+=`, `.extend`, `.append` with literals): exactly those names;
  otherwise every top-level name not starting with `_`;
- each name's origin: `import torch.nn.functional as F` gives
  `torch.nn.functional`, `from torch import nn` gives `torch.nn`, a def, class
  or assignment gives `<module>.<name>`, a name re-exported by a further star
  import keeps the origin found there (followed recursively, cycles and depth
  capped);
- where the answer is not certain, the name maps to None (bound, origin
  unknown) and `Exports.complete` is False when names we cannot list may be
  bound too, so a caller that treats None and unlisted names as unknown never
  reports a call that is not torch's.

Modules are found without running anything: files of the project (the folders
given as roots, as project.py resolves absolute imports), then installed
packages through `importlib.machinery.PathFinder`, one package level at a time
(`importlib.util.find_spec("a.b")` would import `a`), on the interpreter's
sys.path minus the current folder. Only `.py` sources are read (with `ast`, each
file once per process while its size and mtime are unchanged); an extension
module, a namespace package or a file over `MAX_BYTES` counts as not found.
"""

from __future__ import annotations

import ast
import bisect
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Optional

from . import module_files
from .module_files import Stamp, import_root, module_file, parsed
from .semantics import star_bindings

#: Star imports nested deeper than this are not followed (treated as unknown).
MAX_DEPTH = 32

Origin = Optional[str]


class Exports(Mapping[str, Origin]):
    """The names one star import binds, each mapped to its dotted origin.

    A value of None: the name is (or may be) bound, but to what is not known.
    `complete`: False when the star import may also bind names not listed
    (an unresolved star import inside, a dynamic `__all__`, writes to
    `globals()`); the caller must then treat every other name as unknown too.
    `files`: every file read for the answer, path -> (mtime_ns, size), for a
    result cache to depend on.
    """

    def __init__(self, names: Mapping[str, Origin], complete: bool, files: Mapping[str, Stamp]):
        self._names = dict(names)
        self.complete = complete
        self.files = dict(files)

    def __getitem__(self, name: str) -> Origin:
        return self._names[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Exports({self._names!r}, complete={self.complete})"


def star_names(
    module: str | None,
    level: int = 0,
    importer: Path | str | None = None,
    roots: Sequence[Path | str] | None = None,
) -> Exports | None:
    """What `from <level dots><module> import *`, written in `importer`, binds.

    `roots`: folders whose modules are the project's, searched before installed
    packages; by default the folder that holds the importer's top-level package
    (as project.py resolves absolute imports). None when the module's source
    cannot be found, read or parsed: the caller keeps the star import unknown.
    """
    importer_path = os.path.abspath(importer) if importer is not None else None
    if roots is None:
        roots = project_roots(importer_path) if importer_path is not None else ()
    resolver = _Resolver(tuple(os.path.abspath(r) for r in roots), _search_path())
    if level:
        if importer_path is None:
            return None
        found = _relative_to_file(importer_path, level, module)
    else:
        found = resolver.locate(module or "")
    if found is None:
        return None
    stack = [importer_path] if importer_path is not None else []
    result = resolver.exports(found, 0, stack)
    if result is None:
        return None
    return Exports(result.names, result.complete, resolver.read)


def project_roots(importer: Path | str) -> tuple[str, ...]:
    """The folders absolute imports of `importer` are resolved from, as in project.py."""
    return (import_root(os.path.dirname(os.path.abspath(importer))),)


# --- finding modules ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    name: str  # dotted module name
    path: str  # its .py source
    package: bool  # an __init__.py


def _search_path() -> tuple[str, ...]:
    """sys.path without the current folder (`python -m` puts it first, as '' or its path)."""
    try:
        here = os.getcwd()
    except OSError:
        here = None
    entries = []
    for entry in sys.path:
        if not isinstance(entry, str) or not entry or entry == os.curdir:
            continue
        if here is not None and os.path.abspath(entry) == here:
            continue
        entries.append(entry)
    return tuple(entries)


def _found(name: str, path: str | None) -> _Found | None:
    if path is None or not path.endswith(".py"):
        return None  # an extension module, bytecode only, a namespace package
    return _Found(name, path, os.path.basename(path) == "__init__.py")


def _installed(name: str, search: Sequence[str]) -> _Found | None:
    """Find `name` on `search` one package level at a time, never importing a package."""
    locations: list[str] = list(search)
    parts = name.split(".")
    spec = None
    for index in range(len(parts)):
        try:
            spec = PathFinder.find_spec(".".join(parts[: index + 1]), locations)
        except (ImportError, OSError, ValueError):
            return None
        if spec is None:
            return None
        if index < len(parts) - 1:
            if spec.submodule_search_locations is None:
                return None  # a plain module has no submodules
            locations = list(spec.submodule_search_locations)
    if spec is None or not spec.has_location:
        return None
    return _found(name, spec.origin)


def _package_parts(file: str) -> list[str]:
    """The dotted package of `file`, from the folder holding its top-level package."""
    folder = os.path.dirname(file)
    root = import_root(folder)
    relative = os.path.relpath(folder, root)
    return [] if relative == os.curdir else relative.split(os.sep)


def _relative_to_file(importer: str, level: int, module: str | None) -> _Found | None:
    """`from ..mod import *` in the user's file: folders as project.py follows them."""
    folder = os.path.dirname(importer)
    package = _package_parts(importer)
    for _ in range(level - 1):
        folder = os.path.dirname(folder)
    base = package[: max(len(package) - (level - 1), 0)]
    return _in_folder(folder, base, module)


def _in_folder(folder: str, base: list[str], module: str | None) -> _Found | None:
    parts = module.split(".") if module else []
    if parts:
        path = module_file(folder, parts)
    else:
        init = os.path.join(folder, "__init__.py")
        path = init if os.path.isfile(init) else None
    return _found(".".join(base + parts), path)


# --- reading -----------------------------------------------------------------------------


#: Code that may change a module's names at run time starts with one of these (a
#: match in a comment or string costs a walk, nothing more). Only the statements and
#: functions holding a matched line are walked to look at it closely.
_DYNAMIC = re.compile(rb"\b(?:globals|vars|locals|exec)\s*\(|\bmodules\s*\[|\bglobal\s")


@dataclass(frozen=True)
class _Source:
    tree: ast.Module
    hot: tuple[int, ...]  # lines that match _DYNAMIC, in order
    walrus: bool  # may hold `:=` (most files do not: their statements are not walked for it)


@lru_cache(maxsize=1024)
def _parse(path: str, stamp: Stamp) -> _Source | None:
    found = parsed(path, stamp)
    if found is None:
        return None
    source, tree = found
    lines = sorted({source.count(b"\n", 0, m.start()) + 1 for m in _DYNAMIC.finditer(source)})
    return _Source(tree, tuple(lines), b":=" in source)


@dataclass
class _Result:
    names: dict[str, Origin]
    complete: bool
    all_names: list[str] | None = None  # the module's `__all__`, when known exactly


@dataclass
class _Entry:
    """A cached answer, valid while every file it read is unchanged."""

    result: _Result | None
    read: dict[str, Stamp]


#: (file, module name, roots, search path) -> answer. Only answers that did not meet a
#: module still being read (a cycle) or the depth cap are kept: those depend on where
#: the walk started, and the same file must give the same answer whoever asks.
_CACHE: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], _Entry] = {}


def clear_cache() -> None:
    """Forget every answer (tests; a long-running server keeps them fresh by mtime)."""
    _CACHE.clear()
    _parse.cache_clear()


class _Resolver:
    """One question: finds modules and works out their exports, recording the files read."""

    def __init__(self, roots: tuple[str, ...], search: tuple[str, ...]) -> None:
        self.roots = roots
        self.search = search
        self.read: dict[str, Stamp] = {}
        self.tainted = False  # met a cycle or the depth cap below the current module

    def locate(self, name: str) -> _Found | None:
        """An absolute module: the project's folders first, then installed packages."""
        parts = name.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        for root in self.roots:
            path = module_file(root, parts)
            if path is not None:
                return _found(name, path)
        return _installed(name, self.search)

    def relative(self, origin: _Found, level: int, module: str | None) -> _Found | None:
        """`from ..mod import *` inside `origin`, resolved by its dotted name and folder."""
        package = origin.name.split(".") if origin.package else origin.name.split(".")[:-1]
        if level - 1 > len(package):
            return None  # beyond the top-level package: an ImportError in Python
        folder = os.path.dirname(origin.path)
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        return _in_folder(folder, package[: len(package) - (level - 1)], module)

    def exports(self, found: _Found, depth: int, stack: list[str]) -> _Result | None:
        """The names `from <found> import *` binds; None if its source cannot be had."""
        if depth > MAX_DEPTH or found.path in stack:
            self.tainted = True
            return None
        key = (found.path, found.name, self.roots, self.search)
        cached = _CACHE.get(key)
        if (
            cached is not None
            and not any(path in cached.read for path in stack)  # a cycle now: as Python sees it
            and all(module_files.stamp(path) == seen for path, seen in cached.read.items())
        ):
            self.read.update(cached.read)
            return cached.result
        stamp = module_files.stamp(found.path)
        if stamp is None:
            return None
        self.read[found.path] = stamp  # a file that does not parse now may parse later
        source = _parse(found.path, stamp)
        if source is None:
            return None
        outer_read, outer_tainted = self.read, self.tainted
        self.read, self.tainted = {found.path: stamp}, False
        stack.append(found.path)
        try:
            result = _Evaluator(self, found, depth, stack, source).run(source.tree)
        finally:
            stack.pop()
        read, tainted = self.read, self.tainted
        self.read, self.tainted = {**outer_read, **read}, outer_tainted or tainted
        if not tainted:
            _CACHE[key] = _Entry(result, read)
        return result


# --- evaluating a module's top level -----------------------------------------------------

_NAMESPACE_CALLS = frozenset({"globals", "vars", "locals"})
_READ_ATTRIBUTES = frozenset(
    {"get", "items", "keys", "values", "copy", "__contains__", "__getitem__", "__len__"}
)
_REMOVE_ATTRIBUTES = frozenset({"pop", "popitem", "__delitem__"})
_PURE_BUILTINS = frozenset(
    {"list", "dict", "tuple", "set", "frozenset", "sorted", "len", "iter", "repr", "str", "id"}
)


@dataclass
class _All:
    """What is known of `__all__`: `names` are surely in it; `exact`: nothing else is."""

    defined: bool = False
    names: list[str] = field(default_factory=list)
    exact: bool = True


@dataclass
class _State:
    bound: dict[str, Origin] = field(default_factory=dict)
    open: bool = False  # names we cannot list may be bound (an unresolved star import)
    all: _All = field(default_factory=_All)

    def copy(self) -> _State:
        return _State(
            dict(self.bound),
            self.open,
            _All(self.all.defined, list(self.all.names), self.all.exact),
        )


def _merge(first: _State, second: _State) -> _State:
    """After one of two paths: a name keeps its origin only if both paths agree."""
    bound: dict[str, Origin] = {}
    for name in [*first.bound, *(n for n in second.bound if n not in first.bound)]:
        one, other = first.bound.get(name, ...), second.bound.get(name, ...)
        bound[name] = one if one == other else None  # type: ignore[assignment]
    if first.all == second.all:
        names = first.all
    elif first.all.defined != second.all.defined:
        names = _All(True, [], False)
    else:
        names = _All(True, [n for n in first.all.names if n in second.all.names], False)
    return _State(bound, first.open or second.open, names)


def _skips_body(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:` and `if __name__ == "__main__":` do not run on import."""
    if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
        return True
    if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
        return True
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _outside_functions(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and what is below it that runs with it: a def's decorators and defaults,
    not its body (nor a lambda's)."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pending.extend(current.decorator_list)
            pending.extend(current.args.defaults)
            pending.extend(d for d in current.args.kw_defaults if d is not None)
        elif isinstance(current, ast.Lambda):
            pending.extend(current.args.defaults)
            pending.extend(d for d in current.args.kw_defaults if d is not None)
        else:
            pending.extend(ast.iter_child_nodes(current))


def _outside_functions_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """A function's own body, without the bodies of functions nested in it (walked apart)."""
    for statement in function.body:
        yield from _outside_functions(statement)


def _namespace_effect(
    nodes: Iterable[ast.AST], aliases: set[str], module_level: bool
) -> str | None:
    """ "write" if the code may bind module names at run time (`globals()[k] = v`,
    `globals().update`, `exec`, `globals()` handed to a call), "remove" if it may only
    delete them (`del g[k]`), None if it only reads them.

    `aliases` collects names assigned `globals()` (`_g = globals()`), whose uses count too.
    In a function body only `globals()` is the module's (`vars()`, `locals()` are its own).
    """
    calls = _NAMESPACE_CALLS if module_level else frozenset({"globals"})
    nodes = list(nodes)
    parents: dict[int, ast.AST] = {}
    for node in nodes:
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    effect: str | None = None
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "exec":
                return "write"
            if node.func.id not in calls or node.args or node.keywords:
                continue
        elif not (
            isinstance(node, ast.Name) and node.id in aliases and isinstance(node.ctx, ast.Load)
        ):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if isinstance(parent.ctx, ast.Store):
                return "write"
            if isinstance(parent.ctx, ast.Del):
                effect = "remove"
        elif isinstance(parent, ast.Attribute):
            if parent.attr in _REMOVE_ATTRIBUTES:
                effect = "remove"
            elif parent.attr not in _READ_ATTRIBUTES:
                return "write"
        elif isinstance(parent, ast.Compare) and node is not parent.left:
            continue  # `k in globals()`
        elif isinstance(parent, ast.For) and parent.iter is node:
            continue
        elif (
            isinstance(parent, ast.Assign)
            and parent.value is node
            and all(isinstance(t, ast.Name) for t in parent.targets)
        ):
            aliases.update(t.id for t in parent.targets if isinstance(t, ast.Name))
        elif not (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id in _PURE_BUILTINS
        ):
            return "write"  # handed to code we do not follow
    return effect


class _Evaluator:
    """Runs one module's top-level statements in order, tracking what each name is bound to."""

    def __init__(
        self, resolver: _Resolver, found: _Found, depth: int, stack: list[str], source: _Source
    ) -> None:
        self.resolver = resolver
        self.hot_lines = source.hot
        self.has_walrus = source.walrus
        self.found = found
        self.depth = depth
        self.stack = stack
        self.state = _State()
        self.aliases: set[str] = set()  # names holding globals()
        self.touched: set[str] = set()  # names bound so far (for try/except)
        self.writers: dict[str, str] = {}  # function -> its effect on module names
        self.lists: dict[str, list[str]] = {}  # names bound to a known list of strings

    def run(self, tree: ast.Module) -> _Result:
        functions = [
            node
            for statement in tree.body
            if self.hot(statement)
            for node in ast.walk(statement)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and self.hot(node, body_only=True)
        ]
        for function in functions:
            own = list(_outside_functions_body(function))
            effect = _namespace_effect(own, set(), module_level=False)
            if effect is not None:
                self.writers[function.name] = effect
        self.block(tree.body, False)
        state = self.state
        for function in functions:  # a function's `global x` may rebind x at any time
            for node in _outside_functions_body(function):
                if isinstance(node, ast.Global):
                    for name in node.names:
                        state.bound[name] = None
        return self.result(state)

    def hot(self, node: ast.AST, body_only: bool = False) -> bool:
        """Does `node` (its decorators too, unless `body_only`) span a line matching _DYNAMIC?"""
        if not self.hot_lines:
            return False
        if body_only:
            start = node.body[0].lineno  # type: ignore[attr-defined]
        else:
            decorators = getattr(node, "decorator_list", ())
            start = min([node.lineno, *(d.lineno for d in decorators)])  # type: ignore[attr-defined]
        index = bisect.bisect_left(self.hot_lines, start)
        end = node.end_lineno or start  # type: ignore[attr-defined]
        return index < len(self.hot_lines) and self.hot_lines[index] <= end

    def result(self, state: _State) -> _Result:
        if state.all.defined:
            names: dict[str, Origin] = {}
            for name in state.all.names:
                if name in state.bound:
                    names[name] = state.bound[name]
                elif not state.open and self.found.package and self.submodule(name):
                    names[name] = f"{self.found.name}.{name}"  # `from pkg import *` imports it
                else:
                    names[name] = None  # a module __getattr__, an error, or unknown
            exact = list(dict.fromkeys(state.all.names)) if state.all.exact else None
            return _Result(names, state.all.exact, exact)
        names = {n: o for n, o in state.bound.items() if not n.startswith("_")}
        if self.found.package:
            # Importing a submodule (anyone's `import pkg.sub`) sets `sub` on the package.
            for name in self.submodules():
                if names.get(name, ...) != f"{self.found.name}.{name}":
                    names[name] = None
        return _Result(names, not state.open)

    def submodule(self, name: str) -> bool:
        folder = os.path.dirname(self.found.path)
        return os.path.isfile(os.path.join(folder, name + ".py")) or os.path.isdir(
            os.path.join(folder, name)
        )

    def submodules(self) -> list[str]:
        try:
            entries = os.listdir(os.path.dirname(self.found.path))
        except OSError:
            return []
        folder = os.path.dirname(self.found.path)
        found = []
        for entry in sorted(entries):
            stem = entry.removesuffix(".py")
            if stem.startswith("_") or not stem.isidentifier():
                continue
            if entry.endswith(".py") or os.path.isdir(os.path.join(folder, entry)):
                found.append(stem)
        return found

    # -- binding ------------------------------------------------------------------------

    def bind(self, name: str, origin: Origin) -> None:
        self.lists.pop(name, None)
        self.state.bound[name] = origin
        self.touched.add(name)

    def define(self, name: str) -> None:
        self.bind(name, f"{self.found.name}.{name}")

    def unknown_names(self, open_: bool) -> None:
        """Code we cannot follow may have rebound (or deleted) any name bound so far."""
        for name in self.state.bound:
            self.state.bound[name] = None
        self.state.open = self.state.open or open_

    def targets(self, target: ast.expr) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                if node.id == "__all__":
                    self.set_all(None, conditional=True)
                else:
                    self.define(node.id)

    # -- __all__ -------------------------------------------------------------------------

    def strings(self, node: ast.expr) -> tuple[list[str], bool]:
        """(the strings a list/tuple expression surely holds, whether that is all it holds).

        Follows `a + b`, a name bound to such a list (`from .m import __all__ as m_all`,
        `_names = [...]`) and `m.__all__` for a module `m` whose `__all__` is known.
        """
        if isinstance(node, (ast.List, ast.Tuple)):
            names = [
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            return names, len(names) == len(node.elts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, left_exact = self.strings(node.left)
            right, right_exact = self.strings(node.right)
            return left + right, left_exact and right_exact
        if isinstance(node, ast.Name) and node.id in self.lists:
            return list(self.lists[node.id]), True
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__all__"
            and isinstance(node.value, ast.Name)
        ):
            origin = self.state.bound.get(node.value.id)
            known = self.module_all(self.resolver.locate(origin)) if origin else None
            if known is not None:
                return list(known), True
        return [], False

    def module_all(self, found: _Found | None) -> list[str] | None:
        """The exact `__all__` of another module, if it has a literal one."""
        result = self.resolver.exports(found, self.depth + 1, self.stack) if found else None
        return result.all_names if result is not None else None

    def set_all(self, value: ast.expr | None, conditional: bool) -> None:
        names, exact = self.strings(value) if value is not None else ([], False)
        self.state.all = _All(True, names, exact and not conditional)
        self.touched.add("__all__")

    def extend_all(self, value: ast.expr, conditional: bool) -> None:
        names, exact = self.strings(value)
        current = self.state.all
        if not current.defined:  # `__all__ += [...]` before any `__all__ =`: a NameError
            current = _All(True, [], False)
        added = [] if conditional else names
        self.state.all = _All(
            True, current.names + added, current.exact and exact and not conditional
        )

    def all_statement(self, statement: ast.stmt, conditional: bool) -> bool:
        """Handle a statement that changes `__all__`; False if it is not one."""
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets
        ):
            if len(statement.targets) == 1:
                self.set_all(statement.value, conditional)
                return True
            return False
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.target.id == "__all__" and statement.value is not None:
                self.set_all(statement.value, conditional)
                return True
            return False
        if (
            isinstance(statement, ast.AugAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == "__all__"
        ):
            if isinstance(statement.op, ast.Add):
                self.extend_all(statement.value, conditional)
            else:
                self.set_all(None, conditional)
            return True
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and isinstance(statement.value.func.value, ast.Name)
            and statement.value.func.value.id == "__all__"
        ):
            call = statement.value
            method = statement.value.func.attr
            if method == "extend" and len(call.args) == 1 and not call.keywords:
                self.extend_all(call.args[0], conditional)
            elif method == "append" and len(call.args) == 1 and not call.keywords:
                self.extend_all(ast.List([call.args[0]], ast.Load()), conditional)
            else:  # remove, insert, clear, sort, ...: what is surely in it is no longer known
                current = self.state.all
                self.state.all = _All(True, [] if method != "sort" else current.names, False)
            return True
        return False

    # -- statements ----------------------------------------------------------------------

    def block(self, statements: Sequence[ast.stmt], conditional: bool) -> None:
        for statement in statements:
            self.statement(statement, conditional)

    def branches(self, bodies: Sequence[Sequence[ast.stmt]], may_skip: bool) -> None:
        """One of `bodies` runs (or none, if `may_skip`)."""
        before = self.state
        outcomes = [before] if may_skip else []
        for body in bodies:
            self.state = before.copy()
            self.block(body, True)
            outcomes.append(self.state)
        merged = outcomes[0]
        for other in outcomes[1:]:
            merged = _merge(merged, other)
        self.state = merged

    def statement(self, statement: ast.stmt, conditional: bool) -> None:
        self.namespace_code(statement)
        if self.all_statement(statement, conditional):
            return
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is not None:
                    self.bind(alias.asname, alias.name)
                else:
                    head = alias.name.split(".", 1)[0]
                    self.bind(head, head)
        elif isinstance(statement, ast.ImportFrom):
            self.import_from(statement, conditional)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.walrus(statement)
            self.define(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self.walrus(statement)
            if isinstance(statement, ast.AnnAssign) and statement.value is None:
                return  # `x: int` binds nothing
            for target in (
                statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            ):
                self.targets(target)
            if (
                not conditional
                and isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                names, exact = self.strings(statement.value)
                if exact:
                    self.lists[statement.targets[0].id] = names
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    self.state.bound.pop(target.id, None)
                    if target.id == "__all__":
                        self.state.all = _All()
        elif isinstance(statement, ast.If):
            self.walrus(statement.test)
            if _skips_body(statement.test):
                self.block(statement.orelse, conditional)
            else:
                self.branches([statement.body, statement.orelse], may_skip=False)
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            self.walrus(statement.iter if not isinstance(statement, ast.While) else statement.test)
            self.branches([[*statement.body, *statement.orelse]], may_skip=True)
            if not isinstance(statement, ast.While):
                before = self.state
                self.state = before.copy()
                self.targets(statement.target)
                self.state = _merge(before, self.state)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                self.walrus(item.context_expr)
                if item.optional_vars is not None:
                    self.targets(item.optional_vars)
            self.block(statement.body, conditional)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            self.try_statement(statement, conditional)  # type: ignore[arg-type]
        elif type(statement).__name__ == "Match":
            self.walrus(statement.subject)  # type: ignore[attr-defined]
            self.match(statement)
        else:
            self.walrus(statement)

    def try_statement(self, statement: ast.Try, conditional: bool) -> None:
        """The body is taken to run to its end, as the judge does for one file:
        `except ImportError: F = None` does not hide the body's import of F."""
        touched_before = self.touched
        self.touched = set()
        self.block(statement.body, conditional)
        self.block(statement.orelse, conditional)
        by_body = self.touched
        self.touched = set()
        after = self.state
        merged = after
        for handler in statement.handlers:
            self.state = after.copy()
            if handler.name:
                self.define(handler.name)
            self.block(handler.body, True)
            if handler.name:
                self.state.bound.pop(handler.name, None)  # Python deletes it at the end
            for name in by_body:
                if name in after.bound:
                    self.state.bound[name] = after.bound[name]
            merged = _merge(merged, self.state)
        self.state = merged
        self.touched = touched_before | by_body | self.touched
        self.block(statement.finalbody, conditional)

    def match(self, statement: ast.stmt) -> None:
        before = self.state
        outcomes = [before]
        for case in statement.cases:  # type: ignore[attr-defined]
            self.state = before.copy()
            for node in ast.walk(case.pattern):
                name = getattr(node, "name", None)
                if isinstance(name, str):
                    self.define(name)
            self.block(case.body, True)
            outcomes.append(self.state)
        merged = outcomes[0]
        for other in outcomes[1:]:
            merged = _merge(merged, other)
        self.state = merged

    def walrus(self, node: ast.AST) -> None:
        """`(x := ...)` binds x in the module, also from a comprehension (not a lambda)."""
        if not self.has_walrus:
            return
        for inner in _outside_functions(node):
            if isinstance(inner, ast.NamedExpr) and isinstance(inner.target, ast.Name):
                self.define(inner.target.id)

    def namespace_code(self, statement: ast.stmt) -> None:
        """`globals()` writes, `exec`, `sys.modules[...] =` and calls to functions doing so."""
        if not self.writers and not self.aliases and not self.hot(statement):
            return
        nodes = list(_outside_functions(statement))
        effect = _namespace_effect(nodes, self.aliases, module_level=True)
        for node in nodes:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in self.writers
            ):
                effect = "write" if "write" in (effect, self.writers[node.func.id]) else "remove"
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "modules"
            ):
                effect = "write"  # `sys.modules[__name__] = ...` replaces the module
        if effect is not None:
            self.unknown_names(open_=effect == "write")

    def import_from(self, statement: ast.ImportFrom, conditional: bool) -> None:
        if statement.level:
            package = self.found.name.split(".")
            if not self.found.package:
                package = package[:-1]
            base = package[: max(len(package) - (statement.level - 1), 0)]
            prefix = ".".join(base + ([statement.module] if statement.module else []))
        else:
            prefix = statement.module or ""
        for alias in statement.names:
            if alias.name == "*":
                self.star(statement)
                continue
            bound = alias.asname or alias.name
            known = self.module_all(self.locate(statement)) if alias.name == "__all__" else None
            if bound == "__all__":  # `from .m import __all__`, `from .m import names as __all__`
                self.state.all = _All(True, known or [], known is not None and not conditional)
                self.touched.add("__all__")
            elif alias.name == "__all__":  # `from .m import __all__ as m_all`
                self.bind(bound, f"{prefix}.__all__" if prefix else "__all__")
                if known is not None:
                    self.lists[bound] = known
            else:
                self.bind(
                    alias.asname or alias.name, f"{prefix}.{alias.name}" if prefix else alias.name
                )

    def locate(self, statement: ast.ImportFrom) -> _Found | None:
        """The module an import statement of this module reads from."""
        if statement.level:
            return self.resolver.relative(self.found, statement.level, statement.module)
        return self.resolver.locate(statement.module or "")

    def star(self, statement: ast.ImportFrom) -> None:
        known = star_bindings(statement.module, statement.level)  # torch.nn.functional
        if known is not None:
            for name, target in known[0]:
                self.bind(name, target if isinstance(target, str) else None)
            return
        found = self.locate(statement)
        result = self.resolver.exports(found, self.depth + 1, self.stack) if found else None
        if result is None:
            self.unknown_names(open_=True)
            return
        if not result.complete:
            self.unknown_names(open_=True)
        for name, origin in result.names.items():
            self.bind(name, origin)
