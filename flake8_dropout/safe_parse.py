"""Never hand libcst a file its native parser cannot take safely.

libcst's parser (Rust) recurses once per nesting level of the tree it builds,
on the calling thread's stack, and does not check the depth: a deep enough
file kills the whole process with SIGSEGV (no exception to catch; the CLI's
other results and a flake8 run die with it). Measured with libcst 1.9 on
CPython 3.11 and an 8 MiB stack: an `and`/`or` chain of ~7,000 terms, a `+`
chain of ~4,500 terms or ~8,000 unary minus signs crash it, and well before
that the parse is slow (a 1,000-term `+` chain: ~4 s, quadratic).

So the tree's depth is estimated from the `ast` tree (which the caller
already has) the way libcst nests: `a and b and c` is one flat `ast.BoolOp`
but a chain of nested `BooleanOperation`s in libcst, so a `BoolOp` of n
values counts n - 1 levels; every other node counts one. A file deeper than
`MAX_DEPTH` (a seventh of the smallest crash) is refused with a clear error.
The check costs nothing for files shorter than `MAX_DEPTH` characters (each
level needs at least one character) and one walk of the `ast` tree otherwise,
which is small next to the libcst parse that follows it.
"""

from __future__ import annotations

import ast

from .source import SourceError

#: Deepest estimated libcst nesting handed to libcst (crashes start near 7,000).
MAX_DEPTH = 1000


def cst_depth(tree: ast.AST, stop: int = MAX_DEPTH) -> int:
    """The estimated libcst nesting depth of `tree`, or a number > `stop` once it exceeds it."""
    deepest = 0
    todo: list[tuple[ast.AST, int]] = [(tree, 1)]
    children = ast.iter_child_nodes
    while todo:
        node, depth = todo.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 2
        if depth > deepest:
            deepest = depth
            if deepest > stop:
                return deepest
        below = depth + 1
        todo.extend((child, below) for child in children(node))
    return deepest


def ensure_cst_safe(source: str, tree: ast.AST | None = None) -> None:
    """Raise SourceError if `source` is too deeply nested to give to libcst.

    `tree`: the `ast` tree of `source`; parsed here if not given and needed.
    """
    if len(source) <= MAX_DEPTH:
        return
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            # Python itself rejects it: nothing to analyse, and libcst might crash on it.
            raise SourceError(f"cannot parse: {type(error).__name__}") from None
    depth = cst_depth(tree)
    if depth > MAX_DEPTH:
        raise SourceError(
            f"too deeply nested to analyse safely (an expression or block more than "
            f"{MAX_DEPTH} levels deep, such as a very long `and`/`or` or `+` chain)"
        )
