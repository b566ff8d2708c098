"""What the torch.nn classes a project class derives from own and do, from the
generated tables in torch_names.py (no libcst: the check reads these too)."""

from __future__ import annotations

from .torch_names import ALIASES, CLASSES, INIT_CALLS, ITERATES_CHILDREN

# Bases that own no instance attribute a layer could collide with.
EMPTY_BASES = frozenset(
    {"builtins.object", "typing.Generic", "abc.ABC", "typing_extensions.Generic"}
)


def torch_class(name: str) -> str | None:
    """The table key of a torch.nn class named `name` (a dotted import target)."""
    return ALIASES.get(name)


def torch_mro(key: str) -> list[str]:
    found: list[str] = []
    todo = [key]
    while todo:
        current = todo.pop()
        if current in found or current not in CLASSES:
            continue
        found.append(current)
        todo.extend(CLASSES[current][0])
    return found


def torch_owned(key: str) -> tuple[set[str], set[str]]:
    """(names, prefixes) a torch class and its bases own."""
    names: set[str] = set()
    for current in torch_mro(key):
        names |= CLASSES[current][1]
    prefixes = {n[:-1] for n in names if n.endswith("*")}
    return {n for n in names if not n.endswith("*")}, prefixes


def torch_iterates_children(key: str) -> bool:
    return any(current in ITERATES_CHILDREN for current in torch_mro(key))


def torch_init_calls(key: str) -> frozenset[str]:
    return INIT_CALLS.get(key, frozenset())
