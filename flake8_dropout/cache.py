"""Result cache: unchanged files are answered without being read.

One JSON file per (tool version, settings) pair, in the cache folder. It maps
each file's absolute path to its (mtime_ns, size) and its findings (`# noqa`
applied, `--select`/`--ignore` not: those are applied on the way out), and
the (mtime_ns, size) of the other project files its findings depend on (a base
class imported from them). A file that could not be read or parsed is never
cached, so its error is reported on every run. The cache is written atomically; a corrupt or foreign cache
file is ignored and rewritten.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

from . import __version__
from .source import SourceError, write_atomic

#: A cached finding: line, column (0-based), code, message, applicability, fix note,
#: and in a notebook the cell (the line is the cell's).
Row = tuple  # (int, int, str, str, str, str[, int])

_FORMAT = 2


_ROW_TYPES = (int, int, str, str, str, str)  # ..., applicability, fix note


def _is_row(row: tuple) -> bool:
    """A finding as `put` stores it (JSON may hold anything: a foreign or edited file)."""
    cell_ok = len(row) == len(_ROW_TYPES) or (
        len(row) == len(_ROW_TYPES) + 1 and type(row[-1]) is int  # a notebook's cell
    )
    return cell_ok and all(type(value) is kind for value, kind in zip(row, _ROW_TYPES))


class Cache:
    def __init__(self, folder: Path, settings_key: str) -> None:
        self.folder = folder
        key = f"{__version__}\0{settings_key}\0{_FORMAT}"
        self.key = key
        # crc32 names the file; the full key is stored inside and compared on load.
        self.file = folder / f"results-{zlib.crc32(key.encode()):08x}.json"
        self.entries: dict[str, list] = {}
        self.dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with open(self.file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("key") == self.key:
            files = data.get("files")
            if isinstance(files, dict):
                self.entries = files

    def get(self, path: str, stat: os.stat_result, need_parsed: bool) -> list[Row] | None:
        """The cached findings of `path`, None when unknown or stale.

        `need_parsed`: a file named on the command line must have been parsed
        (a discovered file without "dropout" in it was only screened).
        """
        entry = self.entries.get(path)
        try:
            mtime, size, parsed, rows, depends = entry  # type: ignore[misc]
            if mtime != stat.st_mtime_ns or size != stat.st_size or (need_parsed and not parsed):
                return None
            if not all(_unchanged(*dependency) for dependency in depends):
                return None
            found = [tuple(row) for row in rows]
        except (TypeError, ValueError):
            return None
        # A well-formed file with a wrong entry is as stale as a corrupt one.
        # A row: line, column, code, message, applicability, fix note (and a notebook's cell).
        if all(_is_row(row) for row in found):
            return found
        return None

    def put(
        self,
        path: str,
        stat: os.stat_result,
        parsed: bool,
        rows: list[Row],
        depends: list | None = None,
    ) -> None:
        rows_ = [list(r) for r in rows]
        self.entries[path] = [stat.st_mtime_ns, stat.st_size, parsed, rows_, depends or []]
        self.dirty = True

    def save(self) -> None:
        """Write the cache if it changed; any failure leaves the old one (or none)."""
        if not self.dirty:
            return
        try:
            # Only a folder the cache creates is its own: `--cache-dir .` must not
            # get a `.gitignore` of `*` (git would then ignore every new file).
            if not self.folder.is_dir():
                self.folder.mkdir(parents=True)
                ignore = self.folder / ".gitignore"
                ignore.write_text("# Created by flake8-dropout\n*\n", encoding="utf-8")
            data = json.dumps(
                {"key": self.key, "files": self.entries}, separators=(",", ":")
            ).encode()
            write_atomic(self.file, data)
        except (OSError, SourceError):
            pass


def _unchanged(path: str, mtime: int, size: int) -> bool:
    """A file the findings depend on is as it was when they were cached."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_mtime_ns == mtime and stat.st_size == size
