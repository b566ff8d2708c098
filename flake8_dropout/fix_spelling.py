"""What the fixer adds, in the file's own words: layer names, the torch.nn spelling, the import.

- A layer is named after its class (`dropout`, `dropout2d`) when that name is
  free, else after the rate it applies (`p=self.activation_dropout` ->
  `activation_dropout_layer`), and gets a number only when nothing better is free.
- A layer class is written the way the file already reaches torch.nn: its own
  import of the class, its `nn` alias, `torch.nn.X` through `import torch`, an
  extra name in its `from torch.nn import ...` line; only when none exists is
  `from torch import nn` added, where isort and `ruff check --select I` put it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from .analysis import Scope

# -- layer names ----------------------------------------------------------------

_RATE_SUFFIX = re.compile(r"_(?:rate|prob|probability|p|ratio|pct|percent)$")
_PURE_WRAPPERS = frozenset({"float", "int", "min", "max", "abs", "round"})


def snake(layer: str) -> str:
    """`Dropout2d` -> `dropout2d`, `FeatureAlphaDropout` -> `feature_alpha_dropout`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", layer).lower()


def _rate_name(expr: cst.BaseExpression | None) -> str | None:
    """The name the rate is read from: `self.attention_dropout` -> `attention_dropout`."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            return key if isinstance(key, str) else None
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value in _PURE_WRAPPERS
        and len(expr.args) == 1
    ):
        return _rate_name(expr.args[0].value)
    return None


def _normal(name: str) -> str:
    return unicodedata.normalize("NFKC", name)  # how Python compares identifiers


def layer_attribute(
    layer: str,
    rate: cst.BaseExpression | None,
    taken: Iterable[str],
    planned: Iterable[str] = (),
) -> str:
    """A new attribute name for a `layer` (class name) applying `rate` (the `p` expression).

    taken: every name the class family uses (planned layers included);
    planned: the layers this fix already named in the class.
    """
    used = {_normal(name) for name in taken}
    ours = {_normal(name) for name in planned}
    base = snake(layer)
    candidates = [base]
    read = _rate_name(rate)
    if read is not None and read.isidentifier():
        read = read.lower()
        stem = _RATE_SUFFIX.sub("", read)
        if "drop" in stem:  # `hidden_dropout_prob` -> `hidden_dropout`
            candidates.append(stem)
            candidates.append(f"{stem}_layer")
        elif "drop" in read:
            candidates.append(f"{read}_layer")
    if base in used and base not in ours:  # the class's own `dropout` holds something else
        candidates.append(f"{base}_layer")
    for candidate in candidates:
        if _normal(candidate) not in used and candidate.isidentifier():
            return candidate
    number = 1
    while f"{base}_{number}" in used:
        number += 1
    return f"{base}_{number}"


# -- torch.nn spelling and the import -------------------------------------------------------


@dataclass
class ImportEdit:
    """A change to the module's top-level statements."""

    index: int  # in module.body
    mode: str  # "before", "after" or "replace" that statement
    code: str  # the new statement


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def _natural(text: str) -> tuple:
    """isort's and ruff's natural order: `conv2` before `conv10`, case folded first."""
    parts = re.split(r"(\d+)", text)
    return tuple(int(p) if p.isdigit() else p for p in parts)


def _module_key(name: str) -> tuple:
    return (_natural(name.lower()), name)


def _member_key(name: str) -> tuple:
    """ruff's order-by-type: CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return (kind, _natural(name.lower()), name)


def _import_statement(statement: cst.CSTNode) -> cst.Import | cst.ImportFrom | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return small
    return None


def _from_module(node: cst.ImportFrom) -> str | None:
    return None if node.relative else _dotted(node.module)


def _is_torch(name: str | None) -> bool:
    return name is not None and (name == "torch" or name.startswith("torch."))


def _plain_names(node: cst.ImportFrom) -> list[str] | None:
    """`from m import a, b` names, or None when the line cannot take one more name."""
    if isinstance(node.names, cst.ImportStar) or has_comment(node):
        return None
    names = []
    for alias in node.names:
        if alias.asname is not None or not isinstance(alias.name, cst.Name):
            return None  # ruff keeps `as` imports on lines of their own
        names.append(alias.name.value)
    return names


class _CommentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def has_comment(node: cst.CSTNode) -> bool:
    """Whether a comment stands anywhere inside `node` (a rewrite would have to place it)."""
    finder = _CommentFinder()
    node.visit(finder)
    return finder.found


def render_from_import(module: str, names: list[str], line_length: int, vertical: bool) -> str:
    """`from module import names` as isort/ruff write it: one line if it fits, else one per line."""
    names = sorted(set(names), key=_member_key)
    line = f"from {module} import {', '.join(names)}"
    if not vertical and len(line) <= line_length:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"


@dataclass
class LayerSpelling:
    """How this file writes a torch.nn layer class, and the import that makes it work.

    Only unconditional top-level imports count: a name bound under
    `if TYPE_CHECKING:` or in a function is not there when the layer is built.
    """

    module: cst.Module
    scope: Scope  # the module's scope
    line_length: int = 88
    direct: dict[str, str] = field(default_factory=dict)  # "Dropout" -> its name here
    nn: str | None = None  # the file's name for torch.nn
    torch: str | None = None  # the file's name for torch
    from_nn: tuple[int, list[str]] | None = None  # `from torch.nn import A, B`: index, names
    from_torch: tuple[int, list[str]] | None = None  # `from torch import A, B`
    new_nn: str = "nn"  # the name a new torch.nn import binds
    used: set[str] = field(default_factory=set)  # spellings the fix wrote

    def __post_init__(self) -> None:
        top_level_stars = 0
        for index, statement in enumerate(self.module.body):
            if isinstance(statement, cst.SimpleStatementLine):
                top_level_stars += sum(
                    isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar)
                    for small in statement.body
                )
            node = _import_statement(statement)
            if node is None:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if isinstance(small, (cst.Import, cst.ImportFrom)):
                            self._bound(small)
                continue
            self._bound(node)
            if isinstance(node, cst.ImportFrom):
                module = _from_module(node)
                names = _plain_names(node)
                if names is not None and module == "torch.nn" and self.from_nn is None:
                    self.from_nn = (index, names)
                if names is not None and module == "torch" and self.from_torch is None:
                    self.from_torch = (index, names)
        if self.nn is None and top_level_stars == self.scope.star_imports:
            # torch.nn bound by a star import at the top level: it is bound when the class runs
            # (an import under `if TYPE_CHECKING:` is not).
            for name in sorted(self.scope.bindings, key=lambda n: n != "nn"):  # `nn` first
                bindings = self.scope.bindings[name]
                if any(b.star for b in bindings) and self.scope.resolve(name) == "torch.nn":
                    self.nn = name
                    break
        if "nn" in self.scope.bindings:
            number, name = 0, "torch_nn"
            while name in self.scope.bindings:
                number += 1
                name = f"torch_nn_{number}"
            self.new_nn = name

    def _bound(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if not isinstance(bound, cst.Name):
                continue
            target = self.scope.resolve(bound.value)
            if target == "torch.nn" and self.nn is None:
                self.nn = bound.value
            elif target == "torch" and self.torch is None:
                self.torch = bound.value
            elif isinstance(target, str) and target.startswith("torch.nn."):
                self.direct.setdefault(target.rsplit(".", 1)[1], bound.value)

    def spell(self, layer: str) -> str:
        """The expression for the torch.nn class `layer`; `use` it once it is written."""
        if layer in self.direct:
            return self.direct[layer]
        if self.nn is not None:
            return f"{self.nn}.{layer}"
        if self.torch is not None:
            return f"{self.torch}.nn.{layer}"
        if self.from_nn is not None and layer not in self.scope.bindings:
            return layer
        return f"{self.new_nn}.{layer}"

    def use(self, spelled: str) -> None:
        self.used.add(spelled)

    def import_edit(self) -> ImportEdit | None:
        """The import the written spellings need, None if the file has it already."""
        bare = sorted(s for s in self.used if "." not in s and s not in self.direct.values())
        if bare:
            assert self.from_nn is not None
            index, names = self.from_nn
            return self._extend(index, "torch.nn", names + bare)
        if not any(s.startswith(f"{self.new_nn}.") for s in self.used) or self.nn is not None:
            return None
        if self.new_nn == "nn" and self.from_torch is not None:
            index, names = self.from_torch
            return self._extend(index, "torch", names + ["nn"])
        line = (
            "from torch import nn"
            if self.new_nn == "nn"
            else f"from torch import nn as {self.new_nn}"
        )
        return self._place(line)

    def _extend(self, index: int, module: str, names: list[str]) -> ImportEdit:
        statement = self.module.body[index]
        assert isinstance(statement, cst.SimpleStatementLine)  # `from_torch` is only found there
        original = self.module.code_for_node(statement.body[0])
        vertical = "\n" in original and original.rstrip().rstrip(")").rstrip().endswith(",")
        return ImportEdit(
            index, "replace", render_from_import(module, names, self.line_length, vertical)
        )

    def _place(self, line: str) -> ImportEdit:
        """Where isort puts `from torch import ...`: in the section of the file's torch imports."""
        body = self.module.body
        torch_at = None
        for index, statement in enumerate(body):
            node = _import_statement(statement)
            if node is not None and _is_torch(_key_name(node)):
                torch_at = index
                break
        if torch_at is None:
            return _fallback_place(self.module, line)
        start = torch_at
        while start > 0 and _import_statement(body[start - 1]) and not _blank_before(body[start]):
            start -= 1
        end = torch_at
        while (
            end + 1 < len(body)
            and _import_statement(body[end + 1])
            and not _blank_before(body[end + 1])
        ):
            end += 1
        section = [(i, _import_statement(body[i])) for i in range(start, end + 1)]
        kinds = [isinstance(node, cst.ImportFrom) for _, node in section]
        straight_first = kinds == sorted(kinds)  # every `import x` before every `from x import`
        key = _module_key("torch")
        for index, node in section:
            assert node is not None
            if straight_first and isinstance(node, cst.Import):
                continue
            name = _key_name(node)
            if name is not None and _module_key(name) > key:
                return ImportEdit(index, "before", line)
        return ImportEdit(end, "after", line)


def _key_name(node: cst.Import | cst.ImportFrom) -> str | None:
    if isinstance(node, cst.ImportFrom):
        return _from_module(node)
    return _dotted(node.names[0].name) if node.names else None


def _blank_before(statement: cst.CSTNode) -> bool:
    lines = getattr(statement, "leading_lines", ())
    return any(line.comment is None for line in lines)


def _fallback_place(module: cst.Module, line: str) -> ImportEdit:
    """No torch import at the top: after the last import above the first class.

    A class under `if`/`try` counts where its block starts: the import must run first.
    """
    anchor = None
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.ClassDef) or _holds_class(statement):
            break
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            anchor = index
    if anchor is not None:
        return ImportEdit(anchor, "after", line)
    return ImportEdit(_after_docstring_and_future(module), "before", line)


def _holds_class(statement: cst.CSTNode) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            nonlocal found
            found = True
            return False

    if isinstance(statement, cst.BaseCompoundStatement):
        statement.visit(Finder())
    return found


def _after_docstring_and_future(module: cst.Module) -> int:
    index = 0
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            return index
        small = statement.body[0]
        is_docstring = (
            index == 0
            and isinstance(small, cst.Expr)
            and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
        )
        is_future = isinstance(small, cst.ImportFrom) and _from_module(small) == "__future__"
        if not (is_docstring or is_future):
            return index
    return len(module.body)


def apply_import_edit(body: list[cst.BaseStatement], edit: ImportEdit) -> list[cst.BaseStatement]:
    """The module body with `edit` applied; blank lines and comments stay where they were."""
    body = list(body)
    statement = cst.parse_statement(edit.code + "\n")
    if edit.mode == "replace":
        old = body[edit.index]
        assert isinstance(old, cst.SimpleStatementLine) and isinstance(
            statement, cst.SimpleStatementLine
        )
        body[edit.index] = old.with_changes(body=statement.body)
        return body
    if edit.mode == "after":
        body.insert(edit.index + 1, statement)
        return body
    if edit.index < len(body):  # blank lines before the next statement come first
        follower = body[edit.index]
        lines = list(getattr(follower, "leading_lines", ()))
        blank = 0
        while blank < len(lines) and lines[blank].comment is None:
            blank += 1
        statement = statement.with_changes(leading_lines=lines[:blank])
        body[edit.index] = follower.with_changes(leading_lines=lines[blank:])
    body.insert(edit.index, statement)
    return body
