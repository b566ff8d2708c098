"""The project's line length, so that the fixer's lines fit where the project's own do.

Read from the configuration nearest to the file, as the tools themselves do:
flake8's `max-line-length` (`.flake8`, `setup.cfg`, `tox.ini`), ruff's
`line-length` (`ruff.toml`, `.ruff.toml`, `[tool.ruff]` in `pyproject.toml`)
and black's `line-length` (`[tool.black]`). When several tools set one, the
smallest wins, so every one of them stays quiet; with none, ruff's and black's
default of 88.
"""

from __future__ import annotations

import configparser
import os
import sys
from functools import lru_cache

DEFAULT_LINE_LENGTH = 88

_FLAKE8_FILES = (".flake8", "setup.cfg", "tox.ini")
_RUFF_FILES = (".ruff.toml", "ruff.toml")


def line_length_for(path: str | None) -> int:
    """The line length that applies to the file at `path` (None: the current folder)."""
    folder = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    return _folder_line_length(folder)


@lru_cache(maxsize=256)
def _folder_line_length(folder: str) -> int:
    found = [n for n in (_flake8(folder), _ruff(folder), _black(folder)) if n is not None]
    return min(found) if found else DEFAULT_LINE_LENGTH


def _parents(folder: str):
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _flake8(folder: str) -> int | None:
    """flake8 reads the first of its files, walking up, that has a [flake8] section."""
    for current in _parents(folder):
        for name in _FLAKE8_FILES:
            candidate = os.path.join(current, name)
            if not os.path.isfile(candidate):
                continue
            parser = configparser.RawConfigParser()
            try:
                parser.read(candidate, encoding="utf-8")
            except (configparser.Error, OSError, UnicodeDecodeError):
                continue
            if not parser.has_section("flake8"):
                continue
            for key in ("max-line-length", "max_line_length"):
                if parser.has_option("flake8", key):
                    return _positive(parser.get("flake8", key))
            return None
    return None


def _ruff(folder: str) -> int | None:
    """ruff uses the nearest ruff.toml, .ruff.toml or pyproject.toml with [tool.ruff]."""
    for current in _parents(folder):
        for name in _RUFF_FILES:
            data = _toml(os.path.join(current, name))
            if data is not None:
                return _positive(data.get("line-length"))
        data = _toml(os.path.join(current, "pyproject.toml"))
        tool = data.get("tool") if data is not None else None
        if isinstance(tool, dict) and isinstance(tool.get("ruff"), dict):
            return _positive(tool["ruff"].get("line-length"))
    return None


def _black(folder: str) -> int | None:
    """black uses the nearest pyproject.toml."""
    for current in _parents(folder):
        data = _toml(os.path.join(current, "pyproject.toml"))
        if data is None:
            continue
        tool = data.get("tool")
        black = tool.get("black") if isinstance(tool, dict) else None
        return _positive(black.get("line-length")) if isinstance(black, dict) else None
    return None


def _toml(path: str) -> dict | None:
    if not os.path.isfile(path):
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None


def _positive(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None
