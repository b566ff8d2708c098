"""The fix in the call's own layout, within the project's line length.

- `training=self.training` added to a multi-line call goes on a line of its own,
  at its siblings' indentation, with their trailing-comma style, and leaves no
  trailing whitespace.
- A rewritten call that would end up longer than the line length is wrapped as
  ruff format wraps a call: its arguments on one indented line, else one per line
  with a trailing comma. A new layer assignment is wrapped the same way. A line
  with a `# noqa` comment is never wrapped: the comment covers its own line.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from .source import split_lines

INDENT = "    "
_DIRECTIVE = re.compile(
    r"#\s*(?:noqa|type:|pragma|pylint:|mypy:|pyright:|nosec|fmt:)", re.IGNORECASE
)


def _blank_line(whitespace: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """The same indentation, without the comment or blank lines of the line before."""
    return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])


def append_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> list[cst.Arg]:
    """Add `keyword=value` after the last argument, in the call's own layout.

    When an argument starts a line of its own, the new one does too, at that
    argument's indentation; the closing bracket and comments stay where they were.
    """
    new = cst.Arg(
        value=value,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if not call.args:
        return [new]
    *head, last = call.args
    before = [call.whitespace_before_args]
    before += [arg.comma.whitespace_after for arg in head if isinstance(arg.comma, cst.Comma)]
    sibling = next(
        (w for w in reversed(before) if isinstance(w, cst.ParenthesizedWhitespace)), None
    )
    trailing = isinstance(last.comma, cst.Comma)
    # What stands between the last argument and `)`: after its comma, or right after it.
    closing = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
    if closing is None:
        closing = last.whitespace_after_arg
    if sibling is None:
        # Every argument starts on the opening line: one more on that line.
        if isinstance(last.comma, cst.Comma):  # trailing
            space = last.comma.with_changes(whitespace_after=cst.SimpleWhitespace(" "))
            return [*head, last.with_changes(comma=space), new.with_changes(comma=last.comma)]
        space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return [
            *head,
            last.with_changes(comma=space, whitespace_after_arg=cst.SimpleWhitespace("")),
            new.with_changes(whitespace_after_arg=last.whitespace_after_arg),
        ]
    if isinstance(closing, cst.ParenthesizedWhitespace):
        # `last,  # comment` keeps its comment; the new argument comes at the siblings' indent.
        separator = closing.with_changes(indent=sibling.indent, last_line=sibling.last_line)
        before_bracket: cst.BaseParenthesizableWhitespace = _blank_line(closing)
    else:
        separator = _blank_line(sibling)
        before_bracket = cst.SimpleWhitespace("")  # `)` stays right after the last argument
    comma = cst.Comma(whitespace_after=separator)
    last = last.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
    if trailing:
        new = new.with_changes(comma=cst.Comma(whitespace_after=before_bracket))
    else:
        new = new.with_changes(whitespace_after_arg=before_bracket)
    return [*head, last, new]


class Layout:
    """Positions in the file as it was, to measure the lines a rewrite produces."""

    def __init__(self, module: cst.Module, source: str, line_length: int) -> None:
        self.module = module
        self.lines = [line.rstrip("\r\n") for line in split_lines(source)]
        self.line_length = line_length
        unit = module.default_indent
        self.unit = unit if unit and not unit.strip() else INDENT  # the file's indent step
        self._positions: dict[cst.CSTNode, CodeRange] | None = None
        self._parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._deferred: set[int] = set()  # outer calls to wrap instead of their argument

    def _range(self, node: cst.CSTNode) -> CodeRange | None:
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = dict(wrapper.resolve(PositionProvider))
            self._parents = dict(wrapper.resolve(ParentNodeProvider))
        return self._positions.get(node)

    def _sole_argument_of(self, call: cst.Call, line: int) -> cst.Call | None:
        """The call `call` is the only plain argument of, on the same single line."""
        arg = self._parents.get(call)
        if not isinstance(arg, cst.Arg) or arg.keyword is not None or arg.star:
            return None
        outer = self._parents.get(arg)
        if not isinstance(outer, cst.Call) or len(outer.args) != 1 or outer.lpar:
            return None
        where = self._range(outer)
        if where is None or not where.start.line == where.end.line == line:
            return None
        return outer

    def indent_of(self, node: cst.CSTNode) -> str:
        """The leading whitespace of the line `node` starts on."""
        where = self._range(node)
        if where is None:
            return ""
        line = self.lines[where.start.line - 1]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def body_indent(self, block_owner: cst.FunctionDef | cst.ClassDef) -> str:
        """The indentation of the statements inside a def or class."""
        body = block_owner.body
        step = body.indent if isinstance(body, cst.IndentedBlock) else None
        return self.indent_of(block_owner) + (
            step if step is not None else self.module.default_indent
        )

    def fit_call(self, original: cst.Call, new: cst.Call) -> cst.Call:
        """`new` (the rewrite of `original`), wrapped if its line would grow past the limit."""
        if original.lpar or original.rpar:
            return new
        where = self._range(original)
        if where is None:
            return new
        text = self.module.code_for_node(new)
        if "\n" in text or "\r" in text:
            return new  # a multi-line call keeps the layout its author gave it
        first = self.lines[where.start.line - 1]
        last = self.lines[where.end.line - 1]
        prefix, suffix = first[: where.start.column], last[where.end.column :]
        length = len(prefix) + len(text) + len(suffix)
        was = len(first) if where.start.line == where.end.line else 0
        if length <= self.line_length or length <= was or not new.args:
            return new
        spanned = self.lines[where.start.line - 1 : where.end.line]
        if any(_DIRECTIVE.search(line) for line in spanned):
            # A tool directive (noqa, type-ignore, pragma, ...) speaks for its own line:
            # wrapping would move the call off it. A long line is the lesser harm.
            return new
        outer = self._sole_argument_of(original, where.start.line)
        if outer is not None:
            # `outer(F.dropout(...))`: ruff format splits the outer brackets first.
            self._deferred.add(id(outer))
            return new
        indent = first[: len(first) - len(first.lstrip(" \t"))]
        return wrap_call(new, indent, self.line_length, self.unit)

    def fit_outer(self, original: cst.Call, new: cst.Call) -> cst.Call:
        """`new` with its one argument on a line of its own, if that argument asked for it."""
        if id(original) not in self._deferred:
            return new
        where = self._range(original)
        text = self.module.code_for_node(new)
        if where is None or "\n" in text or "\r" in text:
            return new
        first = self.lines[where.start.line - 1]
        prefix, suffix = first[: where.start.column], first[where.end.column :]
        if len(prefix) + len(text) + len(suffix) <= self.line_length:
            return new
        indent = first[: len(first) - len(first.lstrip(" \t"))]
        inner_indent = indent + self.unit
        arg = new.args[0]
        inner = arg.value
        inner_text = self.module.code_for_node(inner)
        too_long = len(inner_indent) + len(inner_text) > self.line_length
        if too_long and isinstance(inner, cst.Call) and inner.args and not inner.lpar:
            inner = wrap_call(inner, inner_indent, self.line_length, self.unit)
        arg = arg.with_changes(
            value=inner, comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=_own_line(indent)
        )
        return new.with_changes(whitespace_before_args=_own_line(inner_indent), args=[arg])


def _own_line(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=False,
        last_line=cst.SimpleWhitespace(indent),
    )


def wrap_call(call: cst.Call, indent: str, line_length: int, unit: str = INDENT) -> cst.Call:
    """ruff format's wrap: the arguments on one line of their own, else one per line."""
    inner = indent + unit
    plain = [
        arg.with_changes(
            comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")
        )
        for arg in call.args
    ]
    joined = ", ".join(cst.Module([]).code_for_node(arg) for arg in plain)
    if len(inner) + len(joined) <= line_length:
        args = [
            arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            for arg in plain[:-1]
        ]
        args.append(plain[-1].with_changes(whitespace_after_arg=_own_line(indent)))
    else:
        args = [
            arg.with_changes(comma=cst.Comma(whitespace_after=_own_line(inner))) for arg in plain
        ]
        args[-1] = plain[-1].with_changes(comma=cst.Comma(whitespace_after=_own_line(indent)))
    return call.with_changes(whitespace_before_args=_own_line(inner), args=args)


def layer_statement(
    target: str,
    layer: str,
    arguments: list[str],
    indent: str,
    line_length: int,
    unit: str = INDENT,
) -> str:
    """`target = layer(arguments)`, wrapped as ruff format would at `indent`.

    The continuation lines are relative to the statement's own indentation (the
    block it is inserted into adds that).
    """
    line = f"{target} = {layer}({', '.join(arguments)})"
    if len(indent) + len(line) <= line_length or not arguments:
        return line
    joined = ", ".join(arguments)
    if len(indent) + len(unit) + len(joined) <= line_length:
        return f"{target} = {layer}(\n{unit}{joined}\n)"
    return f"{target} = {layer}(\n" + "".join(f"{unit}{a},\n" for a in arguments) + ")"
