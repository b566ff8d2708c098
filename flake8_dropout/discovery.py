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
- As in ruff, the patterns come from the table nearest to the folder an entry is
  listed in (a `Selection` per folder): a nested project's `exclude` and `include`
  hold inside it, whether it is walked from its parent or named alone, and a
  pattern of the parent's that names the nested folder itself still skips it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass

from .config import ConfigError, ConfigFile, ConfigFinder, Matcher, Options, Pattern


@dataclass(frozen=True)
class Target:
    display: str  # the path as reported
    path: str  # absolute
    explicit: bool  # named on the command line: always decoded and parsed
    outside: bool = False  # a walked symlink to a file outside the walked folder: never written


@dataclass(frozen=True)
class PathError:
    display: str
    reason: str


@dataclass(frozen=True)
class Selection:
    """What one table says about the entries of the folders it governs."""

    excluded: Matcher  # exclude + extend-exclude (the defaults unless `exclude` is set)
    included: Matcher  # the file names a walked folder is searched for
    user_excluded: Matcher | None  # the patterns the user set: they skip named paths too
    root: str  # the table's folder (without a table: the nearest pyproject.toml's, or cwd)
    project: bool  # a [tool.flake8-dropout] table of the tree (not --config, not none)

    @classmethod
    def of(
        cls,
        exclude: Sequence[Pattern],
        user_exclude: Sequence[Pattern],
        root: str,
        include: Sequence[Pattern] = (),
        project: bool = False,
    ) -> Selection:
        if not include:
            from .config import DEFAULT_INCLUDE

            include = [Pattern(text, root) for text in DEFAULT_INCLUDE]
        user = Matcher(user_exclude) if user_exclude else None
        return cls(Matcher(exclude), Matcher(include), user, root, project)


#: An absolute folder (and its entry names, when known) -> the selection of its entries.
SelectionIn = Callable[[str, "Container[str] | None"], Selection]


class Selections:
    """Each folder's Selection: its nearest table's (a ConfigFinder), or the one of
    `--config` for every folder. One Selection per table, one lookup per folder."""

    def __init__(self, finder: ConfigFinder | None, config: ConfigFile, options: Options) -> None:
        self.finder = finder
        self.run = self._build(config, options)  # the table of the paths' common folder
        self._by_options: dict[tuple[int, str], Selection] = {}
        self._by_folder: dict[str, Selection] = {}

    def _build(self, config: ConfigFile, options: Options) -> Selection:
        project = self.finder is not None and config.path is not None
        root = str(config.root)
        return Selection.of(options.exclude, options.user_exclude, root, options.include, project)

    def __call__(self, folder: str, listing: Container[str] | None = None) -> Selection:
        """The Selection of `folder`'s entries; a broken table falls back to the nearest
        good one above (each file below it is then reported with the configuration error)."""
        selection = self._by_folder.get(folder)
        if selection is not None:
            return selection
        if self.finder is None:
            selection = self.run
        else:
            try:
                config, options = self.finder.options_in(folder, listing)
            except ConfigError:
                parent = os.path.dirname(folder)
                selection = self(parent) if parent != folder else self.run
            else:
                key = (id(options), str(config.root))  # the finder keeps `options` alive
                selection = self._by_options.get(key)
                if selection is None:
                    selection = self._by_options[key] = self._build(config, options)
        self._by_folder[folder] = selection
        return selection


def _named_path_excluded(path: str, selection_in: SelectionIn) -> bool:
    """A path named on the command line, or one of its folders, matches a pattern the user
    set: each judged by the table of the folder it is in, as a walk from the top project
    would judge it, so the verdict does not depend on the other paths given.

    The path itself is always judged. A folder above it is judged while a table of the
    tree governs the folder it is in; once none does, the outermost project's root is
    not (nor what is above it); without any table, the folders inside the root
    (the nearest pyproject.toml's folder, or the current folder) are.
    """
    current = path
    seen_project = False
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            return False
        selection = selection_in(parent, None)
        if current != path and not selection.project:
            inside = current.startswith(selection.root.rstrip(os.sep) + os.sep)
            if seen_project or not inside:
                return False
        seen_project = seen_project or selection.project
        user = selection.user_excluded
        if user is not None and user(current, os.path.basename(current)):
            return True
        current = parent


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


def _gitignore_spec(lines: list[str]):
    """The lines as a pathspec GitIgnoreSpec; a line pathspec rejects is skipped, as git does.

    git accepts patterns such as `!`, a lone `\\` or `[z-a]` and matches nothing
    with them; pathspec raises on them (its own error, or `re.error`).
    """
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # noqa: BLE001 - some line is one pathspec cannot compile
        valid = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except Exception:  # noqa: BLE001, S112 - git ignores such a line: so do we
                continue
            valid.append(line)
        return pathspec.GitIgnoreSpec.from_lines(valid)


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
                spec = _gitignore_spec(lines)
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


def _broken_link_reason(path: str) -> str:
    """Why a symbolic link leads nowhere: a loop, or a target that does not exist."""
    import errno

    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself)"
        return f"broken symbolic link (its target: {error.strerror or error})"
    return "broken symbolic link"


def discover(
    arguments: Sequence[str],
    exclude: Sequence[Pattern] = (),
    user_exclude: Sequence[Pattern] = (),
    root: str = ".",
    include: Sequence[Pattern] = (),
    *,
    selections: SelectionIn | None = None,
) -> tuple[list[Target], list[PathError]]:
    """`selections`: each folder's Selection (see `Selections`); without it, the patterns
    given apply everywhere (`include`: none given, `*.py` and `*.ipynb`)."""
    if selections is None:
        fixed = Selection.of(exclude, user_exclude, os.path.abspath(root), include)
        selections = lambda folder, listing=None: fixed
    errors: list[PathError] = []
    return list(find_targets(arguments, selections, errors)), errors


def find_targets(
    arguments: Sequence[str], selections: SelectionIn, errors: list[PathError]
) -> Iterator[Target]:
    """`discover`'s targets one by one as they are found, so that the first files can be
    read and screened while folders are still being walked; `errors` receives what
    cannot be checked. A file reached twice (named and found in a folder, or through a
    symlink) comes once, and as named if it is named anywhere."""
    kinds = [_argument_kind(argument, selections, errors) for argument in arguments]
    reals = [os.path.realpath(os.path.abspath(a)) if k else "" for a, k in zip(arguments, kinds)]
    named = {real for real, kind in zip(reals, kinds) if kind == "file"}
    seen: set[str] = set()
    ignores = _GitIgnores()
    for argument, kind, real_path in zip(arguments, kinds, reals):
        path = os.path.abspath(argument)
        display = os.path.normpath(argument)
        found: Iterable[tuple[Target, str]]
        if kind == "file":
            found = [(Target(display, path, True), real_path)]
        elif kind == "folder":
            walk = _Walk(selections, ignores, errors, real_path)
            found = walk.folder(path, real_path, display, ignores.initial(path), True)
        else:
            continue
        for target, real in found:
            if real in seen:
                continue
            seen.add(real)
            if real in named and not target.explicit:  # named too: parsed, and writable
                target = Target(target.display, target.path, True)
            yield target


def _argument_kind(argument: str, selections: SelectionIn, errors: list[PathError]) -> str:
    """What the argument names: a "file", a "folder", or "" (skip it; why, if wrong, in
    `errors`)."""
    path = os.path.abspath(argument)
    display = os.path.normpath(argument)
    if not os.path.lexists(path):
        errors.append(PathError(display, "no such file or folder"))
        return ""
    if argument.endswith(("/", os.sep)) and not os.path.isdir(path):
        errors.append(PathError(display, "not a folder"))
        return ""
    if _named_path_excluded(path, selections):
        return ""
    if os.path.isdir(path):
        return "folder"
    if os.path.exists(path):
        return "file"
    errors.append(PathError(display, _broken_link_reason(path)))
    return ""


class _Walk:
    """One folder argument, walked with what `os.scandir` gives: no other call per file.

    A walked folder is never a symlink, so the real path of an entry that is
    not a symlink is its folder's real path joined with its name; only a
    symlinked file needs `os.path.realpath`. A folder is a virtual environment
    when its own listing holds a `pyvenv.cfg` file, and has a `.gitignore` to
    read only when its listing holds one.
    """

    def __init__(
        self, selections: SelectionIn, ignores: _GitIgnores, errors: list[PathError], top: str
    ) -> None:
        self.top = os.path.join(top, "")  # the walked folder's real path, with a separator
        self.selections = selections
        self.ignores = ignores
        self.errors = errors

    def folder(
        self, folder: str, real: str, display: str, stack: list, top: bool
    ) -> Iterator[tuple[Target, str]]:
        """Each file to check below `folder`, with its real path, in sorted order."""
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as error:
            message = f"cannot read the folder: {error.strerror or error}"
            self.errors.append(PathError(display, message))
            return
        names = {entry.name: entry for entry in entries}
        if not top:
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
        selection = self.selections(folder, names)  # this folder's table judges its entries
        excluded, included, ignored = selection.excluded, selection.included, self.ignores.ignored
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
                yield from self.folder(path, real_prefix + name, shown_prefix + name, stack, False)
            elif is_file and included(entry.path, name):
                path = entry.path
                if excluded(path, name) or (stack and ignored(stack, path, False)):
                    continue
                try:
                    link = entry.is_symlink()
                except OSError:
                    link = True
                real_path = os.path.realpath(path) if link else real_prefix + name
                outside = link and not real_path.startswith(self.top)
                yield Target(shown_prefix + name, path, False, outside), real_path
