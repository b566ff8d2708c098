"""The fixer's view of a file's class hierarchy: bases, ancestors, descendants, families.

A layer is safe only if every class that could see it is read in full: the
same-file ancestors and descendants, the torch bases (class_facts' tables) and
bases in other project files (project.py). fix.py plans with these answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .analysis import ClassInfo, Kind, qualify
from .class_facts import ClassFacts, Taken, class_facts
from .semantics import Defined
from .torch_bases import EMPTY_BASES, torch_class, torch_iterates_children, torch_owned

if TYPE_CHECKING:
    from .project import ProjectClasses

_CONTAINERS = frozenset(
    {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}
)


class ClassFamily:
    def __init__(
        self, module: cst.Module, classes: list[ClassInfo], project: ProjectClasses | None
    ) -> None:
        self.module = module
        self.classes = classes
        self.project = project  # the CLI's view of bases in other files, if any
        self._facts: dict[int, ClassFacts] = {}

    def code(self, node: cst.CSTNode) -> str:
        return " ".join(self.module.code_for_node(node).split())

    def facts(self, info: ClassInfo) -> ClassFacts:
        if id(info.node) not in self._facts:
            self._facts[id(info.node)] = class_facts(info)
        return self._facts[id(info.node)]

    def bases(self, info: ClassInfo) -> list[ClassInfo]:
        targets = (qualify(base, info.scope) for base in info.bases)
        return [t for t in targets if isinstance(t, ClassInfo) and t.order < info.order]

    def ancestors(self, info: ClassInfo) -> list[ClassInfo]:
        found: dict[int, ClassInfo] = {}
        todo = self.bases(info)
        while todo:
            current = todo.pop()
            if id(current.node) not in found:
                found[id(current.node)] = current
                todo.extend(self.bases(current))
        return list(found.values())

    def lineage(self, info: ClassInfo) -> tuple[list[ClassInfo], list[str], str | None]:
        """(same-file ancestors, torch ancestors' table keys, why the bases are not all seen).

        A base the fixer cannot read in full (the user's own code, a
        `module-bases` entry, an unknown torch class) may own any name.
        """
        ancestors: list[ClassInfo] = []
        torch_bases: list[str] = []
        todo = [info]
        while todo:
            current = todo.pop()
            if current.node.keywords:
                return (
                    [],
                    [],
                    f"the class `{current.node.name.value}` passes `metaclass=` or keywords",
                )
            for base in current.bases:
                target = qualify(base, current.scope)
                if isinstance(target, ClassInfo) and target.order < current.order:
                    if all(target is not a for a in ancestors):
                        ancestors.append(target)
                        todo.append(target)
                    continue
                key = torch_class(target) if isinstance(target, str) else None
                if key is not None:
                    torch_bases.append(key)
                elif isinstance(target, str) and target in EMPTY_BASES:
                    continue
                elif not self.seen_in_project(target):
                    return [], [], f"the base `{self.code(base)}` is not seen in full"
        return ancestors, torch_bases, None

    def seen_in_project(self, target: str | Defined | None) -> bool:
        """A base from another file of the project whose whole chain the CLI has read."""
        found = (
            self.project.lookup(target)
            if self.project is not None and isinstance(target, str)
            else None
        )
        return found is not None and found.complete and found.kind is Kind.MODULE

    def taken_in_family(self, info: ClassInfo) -> Taken:
        """Names used by the class, its same-file ancestors and descendants, and torch bases.

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
                related = any(id(b.node) in family for b in self.bases(other)) or any(
                    id(other.node) == id(b.node)
                    for member in list(family.values())
                    for b in self.bases(member)
                )
                if related:
                    family[id(other.node)] = other
                    changed = True
        taken = Taken()
        prefixes: set[str] = set()  # fixed starts of names set at run time
        for member in family.values():
            facts = self.facts(member)
            taken |= facts.taken
            prefixes |= facts.prefixes
            for key in self.lineage(member)[1]:
                names, owned_prefixes = torch_owned(key)
                taken |= names
                prefixes |= owned_prefixes
        taken.prefixes = tuple(sorted(prefixes))
        return taken

    def descendants(self, info: ClassInfo) -> list[ClassInfo]:
        """Same-file classes that inherit from `info`, directly or not."""
        found: dict[int, ClassInfo] = {}
        for other in self.classes:  # in source order: bases come first
            if any(b is info or id(b.node) in found for b in self.bases(other)):
                found[id(other.node)] = other
        return list(found.values())

    def family_problem(self, family: list[ClassInfo], torch_bases: list[str]) -> str | None:
        """Why a new attribute or child could change what the family computes, if it could."""
        for key in torch_bases:
            short = "nn." + key.rsplit(".", 1)[1]
            if key.rsplit(".", 1)[1] in _CONTAINERS or torch_iterates_children(key):
                return f"the base `{short}` iterates its children"
        for member in family:
            facts = self.facts(member)
            name = member.node.name.value
            if facts.iterates is not None:
                return f"`{name}` iterates its children ({facts.iterates})"
            if facts.hooks is not None:
                return f"`{name}` defines `{facts.hooks}`"
            if facts.dynamic is not None:
                return f"`{name}` names attributes at run time (`{facts.dynamic}`)"
        return None

    def init_call_reaches(self, child: ClassInfo, call: cst.Call, info: ClassInfo) -> bool:
        """Whether `child`'s base initialiser call runs `info.__init__` (provably)."""
        assert isinstance(call.func, cst.Attribute)
        owner = call.func.value
        if isinstance(owner, cst.Call):  # super() or super(Child, self)
            if owner.args and qualify(owner.args[0].value, child.scope) is not child:
                return False
            if not child.bases:
                return False
            target = qualify(child.bases[0], child.scope)
        else:
            target = qualify(owner, child.scope)
        return isinstance(target, ClassInfo) and (
            target is info or any(a is info for a in self.ancestors(target))
        )
