"""Where a module's source file is, and its `ast` tree: read, never imported or run.

Shared by project.py (bases defined in other files) and star_imports.py (what
`from M import *` binds): one reading rule, one cache.
"""

from __future__ import annotations

import ast
import os
import stat as stat_module
from functools import lru_cache

#: Larger files are not read (a generated table holds no base class and no `F`).
MAX_BYTES = 4 * 1024 * 1024

Stamp = tuple[int, int]  # (mtime_ns, size): a file read is a file the findings depend on


def stamp(path: str) -> Stamp | None:
    """The file's (mtime_ns, size); None for what is not a readable-sized regular file."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat_module.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        return None  # a FIFO would block, a device never ends
    return (info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=1024)
def parsed(path: str, stamp: Stamp) -> tuple[bytes, ast.Module] | None:
    """The file's bytes and tree, once per process while its stamp holds; None if unreadable."""
    try:
        with open(path, "rb") as handle:
            source = handle.read(MAX_BYTES + 1)
        if len(source) > MAX_BYTES:
            return None
        return source, ast.parse(source, path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def import_root(folder: str) -> str:
    """The folder that holds the top-level package `folder` belongs to."""
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


def module_file(folder: str, parts: list[str]) -> str | None:
    """`folder/a/b.py` or `folder/a/b/__init__.py` for parts ["a", "b"], if it exists."""
    base = os.path.join(folder, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None
