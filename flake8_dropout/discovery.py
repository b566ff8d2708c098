"""Which files the command line checks.

- A file named on the command line is always checked (whatever its suffix),
  unless it matches an exclude pattern the user configured.
- A folder is walked recursively for the files `include` names (by default
  `*.py` and `*.ipynb`, matched like exclude patterns), in sorted order. Skipped:
  folders matching the exclude patterns (by default `.git`, `build`, `dist`,
  `__pycache__`, `site-packages`, `.venv`, ...), every virtual environment (a
  folder holding `pyvenv.cfg`), what `.gitignore` files ignore (the ones in
  the walked folders and in their parents up to the repository root; a deeper
  file overrides a shallower one, as in git), and symlinked folders.
- A file reached twice (through a symlink) is checked once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from .config import Matcher, Pattern


@dataclass(frozen=True)
class Target:
    display: str  # the path as reported
    path: str  # absolute
    explicit: bool  # named on the command line: always decoded and parsed


@dataclass(frozen=True)
class PathError:
    display: str
    reason: str


def _excluded(path: str, patterns: Sequence[Pattern], root: str) -> bool:
    """`path`, or one of its folders inside the project `root`, matches a pattern."""
    matches = Matcher(patterns)
    current = path
    while True:
        if matches(current, os.path.basename(current)):
            return True
        parent = os.path.dirname(current)
        if parent == current or not parent.startswith(root.rstrip(os.sep) + os.sep):
            return False
        current = parent


class _GitIgnores:
    """Stack of (folder, spec) pairs from the repository root down to the walked folder."""

    def __init__(self) -> None:
        self._cache: dict[str, object] = {}

    def spec_for(self, folder: str):
        if folder not in self._cache:
            spec = None
            try:
                with open(os.path.join(folder, ".gitignore"), encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            if any(line.strip() and not line.startswith("#") for line in lines):
                import pathspec

                spec = pathspec.GitIgnoreSpec.from_lines(lines)
            self._cache[folder] = spec
        return self._cache[folder]

    def initial(self, folder: str) -> list[tuple[str, object]]:
        """Specs of `folder`'s parents, from the repository root (or `folder`) down."""
        chain = [folder]
        current = folder
        while not os.path.exists(os.path.join(current, ".git")):
            parent = os.path.dirname(current)
            if parent == current:
                chain = [folder]  # not in a repository: only the walked folders count
                break
            chain.append(parent)
            current = parent
        stack = []
        for each in reversed(chain):
            spec = self.spec_for(each)
            if spec is not None:
                stack.append((each, spec))
        return stack

    @staticmethod
    def ignored(stack: list[tuple[str, object]], path: str, is_dir: bool) -> bool:
        for folder, spec in reversed(stack):
            if path.startswith(folder + os.sep):  # a walked path: no need for relpath
                relative = path[len(folder) + len(os.sep) :]
            else:
                relative = os.path.relpath(path, folder)
            if os.sep != "/":
                relative = relative.replace(os.sep, "/")
            if is_dir:
                relative += "/"
            result = spec.check_file(relative)  # type: ignore[attr-defined]
            if result.include is not None:
                return bool(result.include)
        return False


def discover(
    arguments: Sequence[str],
    exclude: Sequence[Pattern],
    user_exclude: Sequence[Pattern],
    root: str,
    include: Sequence[Pattern] = (),
) -> tuple[list[Target], list[PathError]]:
    """`include`: the files a walked folder is searched for (none given: `*.py` and `*.ipynb`)."""
    targets: list[Target] = []
    errors: list[PathError] = []
    seen: dict[str, int] = {}  # real path -> index in targets
    ignores = _GitIgnores()
    excluded = Matcher(exclude)
    if not include:
        from .config import DEFAULT_INCLUDE

        include = [Pattern(text, root) for text in DEFAULT_INCLUDE]
    included = Matcher(include)

    def add(display: str, path: str, explicit: bool, real: str | None = None) -> None:
        """`real`: the real path when the caller knows it (a walked file, not a symlink)."""
        if real is None:
            real = os.path.realpath(path)
        if real not in seen:
            seen[real] = len(targets)
            targets.append(Target(display, path, explicit))
        elif explicit:  # named on the command line and also found in a folder: parse it
            index = seen[real]
            targets[index] = Target(targets[index].display, targets[index].path, True)

    for argument in arguments:
        path = os.path.abspath(argument)
        display = os.path.normpath(argument)
        if not os.path.lexists(path):
            errors.append(PathError(display, "no such file or folder"))
            continue
        if argument.endswith(("/", os.sep)) and not os.path.isdir(path):
            errors.append(PathError(display, "not a folder"))
            continue
        if user_exclude and _excluded(path, user_exclude, root):
            continue
        if os.path.isdir(path):
            walk = _Walk(excluded, included, ignores, add, errors)
            walk.folder(path, os.path.realpath(path), display, ignores.initial(path), True)
        elif os.path.exists(path):
            add(display, path, True)
        else:
            errors.append(PathError(display, "broken symbolic link"))
    return targets, errors


class _Walk:
    """One folder argument, walked with what `os.scandir` gives: no other call per file.

    A walked folder is never a symlink, so the real path of an entry that is
    not a symlink is its folder's real path joined with its name; only a
    symlinked file needs `os.path.realpath`. A folder is a virtual environment
    when its own listing holds a `pyvenv.cfg` file, and has a `.gitignore` to
    read only when its listing holds one.
    """

    def __init__(
        self, excluded: Matcher, included: Matcher, ignores: _GitIgnores, add, errors
    ) -> None:
        self.excluded = excluded
        self.included = included
        self.ignores = ignores
        self.add = add
        self.errors = errors

    def folder(self, folder: str, real: str, display: str, stack: list, top: bool) -> None:
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as error:
            message = f"cannot read the folder: {error.strerror or error}"
            self.errors.append(PathError(display, message))
            return
        if not top:
            names = {entry.name: entry for entry in entries}
            venv = names.get("pyvenv.cfg")
            try:
                if venv is not None and venv.is_file():
                    return  # a virtual environment
            except OSError:
                pass
            if ".gitignore" in names:
                spec = self.ignores.spec_for(folder)
                if spec is not None:
                    stack = stack + [(folder, spec)]
        # normpath(join(display, name)) is this prefix + name for any entry name.
        shown_prefix = os.path.normpath(os.path.join(display, "x"))[:-1]
        real_prefix = os.path.join(real, "")
        excluded, included, ignored = self.excluded, self.included, self.ignores.ignored
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()  # a symlinked file is fine
            except OSError:
                continue
            if is_dir:
                path = entry.path
                if excluded(path, name) or (stack and ignored(stack, path, True)):
                    continue
                self.folder(path, real_prefix + name, shown_prefix + name, stack, False)
            elif is_file and included(entry.path, name):
                path = entry.path
                if excluded(path, name) or (stack and ignored(stack, path, False)):
                    continue
                try:
                    real_path = None if entry.is_symlink() else real_prefix + name
                except OSError:
                    real_path = None
                self.add(shown_prefix + name, path, False, real_path)
