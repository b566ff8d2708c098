"""Write flake8_dropout/torch_names.py: the names each torch.nn layer class owns.

The fixer adds `self.<name> = nn.Dropout(...)` to a module class; when a base
class is a torch layer, that name must be one the layer (or any class of its
MRO) never sets, reads or defines, or the fix would overwrite the base's own
attribute (`nn.LSTM` keeps a float `self.dropout`, `nn.TransformerEncoderLayer`
owns `dropout`, `dropout1`, `dropout2`). torch is not a runtime dependency of
flake8-dropout, so the table is generated here from the installed torch and
committed; tests/test_torch_names.py regenerates it and compares.

For each class of the MRO (up to, not including, `object`) a name is owned when:
- the class body defines it (method, property, class attribute, annotation,
  `__constants__` entry);
- any method of the class reads or writes `self.<name>`, or passes it as a
  string to setattr/getattr/hasattr/delattr or register_buffer,
  register_parameter, add_module, register_module.
Everything comes from the classes' source (ast) and `vars()`: nothing is built
or run. (Building each class that accepts no arguments and listing its
attributes was tried: on torch 2.13 it found no name the source did not.)

Also recorded: the `self` methods that `__init__` calls (transitively), so the
fixer knows which overridden methods run before a subclass's layer exists, and
whether a class's own methods iterate the module's children.

Usage: python scripts/generate_torch_names.py [--check]
"""

from __future__ import annotations

import argparse
import ast
import inspect
import pkgutil
import sys
import textwrap
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "flake8_dropout" / "torch_names.py"

_NAMED_BY_STRING = frozenset(
    {
        "setattr",
        "getattr",
        "hasattr",
        "delattr",
        "register_buffer",
        "register_parameter",
        "add_module",
        "register_module",
    }
)
_CHILD_ITERATORS = frozenset({"children", "named_children", "modules", "named_modules", "_modules"})


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _class_tree(cls: type) -> ast.ClassDef | None:
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return None
    tree = ast.parse(source)
    node = tree.body[0] if tree.body else None
    return node if isinstance(node, ast.ClassDef) else None


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {s.name: s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _receiver(function: ast.FunctionDef) -> str | None:
    params = [*function.args.posonlyargs, *function.args.args]
    return params[0].arg if params else None


def _used_names(node: ast.ClassDef) -> set[str]:
    """Every `self.<name>` and string-named attribute in the class's methods.

    A method that names an attribute of `self` at run time (`setattr(self,
    name, ...)`, as nn.RNNBase does for `weight_ih_l0`, ...) makes every
    identifier string of the class owned, and every format string's fixed
    start an owned prefix, written with a trailing `*`.
    """
    names: set[str] = set()
    dynamic = False
    for function in ast.walk(node):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        receiver = _receiver(function)
        for inner in ast.walk(function):
            if (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and inner.value.id == receiver
            ):
                names.add(inner.attr)
            elif isinstance(inner, ast.Call):
                called = inner.func
                if isinstance(called, ast.Name) and called.id in _NAMED_BY_STRING:
                    on_self = bool(inner.args) and _is_name(inner.args[0], receiver)
                    named = inner.args[1:2]
                elif isinstance(called, ast.Attribute) and called.attr in _NAMED_BY_STRING:
                    on_self = _is_name(called.value, receiver)
                    named = inner.args[:1]
                else:
                    continue
                for arg in named:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        names.add(arg.value)
                    elif on_self:
                        dynamic = True
    if dynamic:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                text = inner.value
                if text.isidentifier():
                    names.add(text)
                head = text.split("{", 1)[0].split("%", 1)[0]
                if head != text and head.isidentifier():
                    names.add(head + "*")
            elif isinstance(inner, ast.JoinedStr) and inner.values:
                first = inner.values[0]
                if isinstance(first, ast.Constant) and str(first.value).isidentifier():
                    names.add(f"{first.value}*")
    return {n for n in names if n.rstrip("*").isidentifier() and not _dunder(n)}


def _is_name(node: ast.AST, name: str | None) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _self_calls(function: ast.FunctionDef) -> set[str]:
    receiver = _receiver(function)
    return {
        inner.func.attr
        for inner in ast.walk(function)
        if isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Attribute)
        and isinstance(inner.func.value, ast.Name)
        and inner.func.value.id == receiver
    }


def _iterates_children(node: ast.ClassDef) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in _CHILD_ITERATORS:
            return True
    return False


def _own_names(cls: type, node: ast.ClassDef | None) -> set[str]:
    names = {n for n in vars(cls) if not _dunder(n)}
    names.update(n for n in vars(cls).get("__annotations__", {}) if not _dunder(n))
    names.update(n for n in vars(cls).get("__constants__", ()) if isinstance(n, str))
    if node is not None:
        names |= _used_names(node)
    return names


def _public_classes(torch) -> dict[str, type]:
    """Dotted name as a user may import it -> class, for every torch.nn module class."""
    from torch.nn import modules

    namespaces = {"torch.nn": torch.nn, "torch.nn.modules": modules}
    for info in pkgutil.iter_modules(modules.__path__):
        name = f"torch.nn.modules.{info.name}"
        __import__(name)
        namespaces[name] = sys.modules[name]
    found: dict[str, type] = {}
    for prefix, namespace in namespaces.items():
        for attribute, value in vars(namespace).items():
            if inspect.isclass(value) and issubclass(value, torch.nn.Module):
                found[f"{prefix}.{attribute}"] = value
    return found


def build() -> dict:
    """The table, as plain data (what torch_names.py holds)."""
    import torch

    public = _public_classes(torch)
    classes: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
    init_calls: dict[str, frozenset[str]] = {}
    iterates: set[str] = set()
    trees: dict[type, ast.ClassDef | None] = {}

    def tree(cls: type) -> ast.ClassDef | None:
        if cls not in trees:
            trees[cls] = _class_tree(cls)
        return trees[cls]

    todo = sorted(set(public.values()), key=_key)
    while todo:
        cls = todo.pop()
        key = _key(cls)
        if key in classes:
            continue
        bases = tuple(b for b in cls.__bases__ if b is not object)
        todo.extend(b for b in bases if _key(b) not in classes)
        classes[key] = (tuple(_key(b) for b in bases), frozenset(_own_names(cls, tree(cls))))
        node = tree(cls)
        if cls is not torch.nn.Module and node is not None and _iterates_children(node):
            iterates.add(key)
        # self methods that run while __init__ does, following each one found
        methods: dict[str, ast.FunctionDef] = {}
        for klass in reversed(cls.__mro__[:-1]):
            klass_node = tree(klass)
            if klass_node is not None:
                methods.update(_methods(klass_node))
        called: set[str] = set()
        pending = ["__init__"]
        while pending:
            function = methods.get(pending.pop())
            if function is None:
                continue
            for name in _self_calls(function) - called:
                called.add(name)
                pending.append(name)
        init_calls[key] = frozenset(called)
    aliases = {name: _key(cls) for name, cls in public.items()}
    aliases.update({key: key for key in classes})
    return {
        "TORCH_VERSION": torch.__version__.split("+", 1)[0],
        "CLASSES": classes,
        "ALIASES": aliases,
        "INIT_CALLS": init_calls,
        "ITERATES_CHILDREN": frozenset(iterates),
    }


def render(table: dict) -> str:
    lines = [
        '"""Names each torch.nn layer class owns: generated, do not edit.',
        "",
        "Written by scripts/generate_torch_names.py from the installed torch (see its",
        "docstring); tests/test_torch_names.py checks it against the installed torch.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "# fmt: off",
        f"TORCH_VERSION = {table['TORCH_VERSION']!r}",
        "",
        "# class (module.qualname) -> (its bases, names its own body and methods use)",
        "CLASSES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {",
    ]
    for key in sorted(table["CLASSES"]):
        bases, names = table["CLASSES"][key]
        lines.append(f"    {key!r}: (")
        lines.append(f"        {tuple(bases)!r},")
        lines.append("        frozenset({")
        lines.extend(f"            {name!r}," for name in sorted(names))
        lines.append("        }),")
        lines.append("    ),")
    lines += ["}", "", "# dotted name a file may import the class as -> class key"]
    lines.append("ALIASES: dict[str, str] = {")
    lines.extend(f"    {k!r}: {v!r}," for k, v in sorted(table["ALIASES"].items()))
    lines += ["}", "", "# class key -> self methods its __init__ calls, directly or not"]
    lines.append("INIT_CALLS: dict[str, frozenset[str]] = {")
    for key, names in sorted(table["INIT_CALLS"].items()):
        inner = ", ".join(repr(n) for n in sorted(names))
        lines.append(
            f"    {key!r}: frozenset({{{inner}}})," if names else f"    {key!r}: frozenset(),"
        )
    lines += ["}", "", "# classes whose own methods iterate the module's children"]
    lines.append("ITERATES_CHILDREN: frozenset[str] = frozenset({")
    lines.extend(f"    {key!r}," for key in sorted(table["ITERATES_CHILDREN"]))
    lines += ["})", "# fmt: on", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        stale = not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text
        print(f"{TARGET} is {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
