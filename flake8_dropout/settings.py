"""Analysis settings, read the same way from flake8's config and pyproject.toml."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # project.py imports this module
    from .project import ProjectClasses
    from .semantics import StarResolver

#: Base classes that make a class a module class besides torch.nn's own.
#: Entries are the dotted names the classes are imported from.
DEFAULT_MODULE_BASES: tuple[str, ...] = (
    "lightning.LightningModule",
    "lightning.pytorch.LightningModule",
    "lightning.pytorch.core.LightningModule",
    "lightning.pytorch.core.module.LightningModule",
    "pytorch_lightning.LightningModule",
    "pytorch_lightning.core.LightningModule",
    "pytorch_lightning.core.module.LightningModule",
    "pytorch_lightning.core.lightning.LightningModule",
    "torch_geometric.nn.MessagePassing",
    "torch_geometric.nn.conv.MessagePassing",
    "torch_geometric.nn.conv.message_passing.MessagePassing",
)


def split_names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Accept `a, b`, `a\\nb` (ini files) or a list (TOML) and return clean names."""
    if value is None:
        return ()
    items = value.replace("\n", ",").split(",") if isinstance(value, str) else value
    return tuple(name.strip() for name in items if name and name.strip())


@dataclass(frozen=True)
class Settings:
    """What changes the findings of a file (and so goes into the cache key)."""

    module_bases: frozenset[str] = frozenset(DEFAULT_MODULE_BASES)
    #: The command line's view of the file's project (project.ProjectClasses): bases
    #: imported from other files. None in flake8, which sees one file at a time.
    project: ProjectClasses | None = field(default=None, compare=False, hash=False)

    @classmethod
    def from_options(cls, module_bases: str | Iterable[str] | None = None) -> Settings:
        """User bases extend the defaults: adding one never drops Lightning."""
        return cls(frozenset(DEFAULT_MODULE_BASES) | frozenset(split_names(module_bases)))

    def star_resolver(self) -> StarResolver | None:
        """Star imports are read through the command line's project view (none in flake8)."""
        return self.project.star_exports if self.project is not None else None

    def cache_key(self) -> str:
        return ",".join(sorted(self.module_bases))
