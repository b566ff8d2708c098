"""Helpers shared by the test files (pytest puts this folder on sys.path)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys


def run_cli(*args: str, cwd, stdin: bytes | None = None, env: dict | None = None):
    """`python -m flake8_dropout ARGS` for real: (exit status, stdout, stderr), never a traceback."""
    environment = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "flake8_dropout", *args],
        cwd=cwd,
        input=stdin,
        check=False,
        capture_output=True,
        env=environment,
        timeout=300,
    )
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Traceback" not in out, err
    return result.returncode, out, err


def one_definition_per_source(source: str) -> list[str]:
    """The file's other statements with each top-level class or function alone.

    A finding elsewhere in a file makes the screens pass it to libcst whole; alone,
    each definition shows whether the screens would have skipped its findings.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    definitions = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)

    def text(node: ast.stmt) -> str:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        return "".join(lines[start - 1 : node.end_lineno])

    header = "".join(text(n) for n in tree.body if not isinstance(n, definitions))
    return [header + "\n\n" + text(n) for n in tree.body if isinstance(n, definitions)]
