"""Options for the command line: `[tool.flake8-dropout]` in pyproject.toml, then flags.

`resolve` is the one place where raw option values (from the TOML table or
from the command line) become `Options` and the engine's `Settings`; both
sources go through the same parsing, so `module-bases = "a, b"` and
`module-bases = ["a", "b"]` and `--module-bases a,b` mean the same thing.
Command-line values override the file's, which override the defaults.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import Settings, split_names

TABLE = "flake8-dropout"
CACHE_DIR_NAME = ".flake8-dropout-cache"
CACHE_DIR_ENV = "FLAKE8_DROPOUT_CACHE_DIR"

#: Folder names skipped while walking a folder, unless `exclude` replaces them.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "venv",
    "__pycache__",
    "__pypackages__",
    "_build",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "*.egg-info",
    CACHE_DIR_NAME,
)

#: File names a folder is searched for; `include` replaces them, `extend-include` adds.
DEFAULT_INCLUDE: tuple[str, ...] = ("*.py", "*.ipynb")

FIX_STYLES = ("layer", "argument")
OUTPUT_FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit", "json-lines")
_CODE_PREFIX = re.compile(r"^[A-Z]+[0-9]*$")

#: Option name -> kind. Names are those of the flags (`--extend-select`);
#: `dropout-module-bases`, the flake8 plugin's spelling, is accepted as well.
_KINDS: dict[str, str] = {
    "module-bases": "names",
    "select": "codes",
    "ignore": "codes",
    "extend-select": "codes",
    "extend-ignore": "codes",
    "exclude": "patterns",
    "extend-exclude": "patterns",
    "include": "patterns",
    "extend-include": "patterns",
    "fix-style": "fix-style",
    "unsafe-fixes": "bool",
    "show-fixes": "bool",
    "output-format": "output-format",
    "cache-dir": "path",
    "cache": "bool",
    "jobs": "jobs",
    "per-file-ignores": "per-file",
}
_ALIASES = {"dropout-module-bases": "module-bases"}


class ConfigError(Exception):
    """A bad option value or configuration file: a usage error (exit 2)."""


@dataclass(frozen=True)
class Pattern:
    """An exclude pattern and the folder that relative patterns start from."""

    text: str
    base: str  # absolute folder

    @property
    def by_name(self) -> bool:
        """Matched against the last part of a path; else against the whole absolute path."""
        return "/" not in self.text and os.sep not in self.text

    def matches(self, path: str, name: str) -> bool:
        """`path` absolute, `name` its last part."""
        return Matcher((self,))(path, name)


class Matcher:
    """Whether any of some patterns matches: `fnmatchcase` of each, compiled into two regexes.

    `fnmatch.translate` is what `fnmatchcase` matches with; the alternation of
    the translated patterns matches exactly when one of them does.
    """

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        from fnmatch import translate

        names, paths = [], []
        for pattern in patterns:
            if pattern.by_name:
                names.append(translate(pattern.text))
            else:
                paths.append(translate(os.path.normpath(os.path.join(pattern.base, pattern.text))))
        self._name = re.compile("|".join(f"(?:{p})" for p in names)).match if names else None
        self._path = re.compile("|".join(f"(?:{p})" for p in paths)).match if paths else None

    def __call__(self, path: str, name: str) -> bool:
        """`path` absolute, `name` its last part."""
        return bool(
            (self._name is not None and self._name(name))
            or (self._path is not None and self._path(path))
        )


@dataclass(frozen=True)
class Options:
    settings: Settings
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    exclude: tuple[Pattern, ...]  # replaces DEFAULT_EXCLUDE when the user sets it
    user_exclude: tuple[Pattern, ...]  # what the user asked for: applies to explicit paths too
    include: tuple[Pattern, ...]  # the files a folder is searched for
    fix_style: str
    unsafe_fixes: bool
    show_fixes: bool
    output_format: str
    cache_dir: Path | None  # None: no cache
    jobs: int
    per_file_ignores: tuple[tuple[Pattern, tuple[str, ...]], ...] = ()

    def ignore_for(self, path: str) -> tuple[str, ...]:
        """`ignore` plus the per-file-ignores codes whose pattern matches `path` (absolute)."""
        extra = tuple(
            code
            for pattern, codes in self.per_file_ignores
            if pattern.matches(path, os.path.basename(path))
            for code in codes
        )
        return self.ignore + extra

    def is_selected(self, code: str) -> bool:
        return is_selected(code, self.select, self.ignore)


def is_selected(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """flake8's rule: the longest matching prefix decides; a tie counts as ignored."""
    selected = max((len(p) for p in select if code.startswith(p)), default=-1)
    if selected < 0:
        return False
    ignored = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return selected > ignored


@dataclass(frozen=True)
class ConfigFile:
    path: Path | None  # the pyproject.toml with a [tool.flake8-dropout] table
    root: Path  # project root: where the cache lives and relative paths start
    table: Mapping[str, Any]


def load_pyproject(path: Path) -> Mapping[str, Any] | None:
    """The `[tool.flake8-dropout]` table, None if the file has none."""
    if sys.version_info >= (3, 11):  # imported here: most runs find no pyproject.toml
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:  # TOML is UTF-8; tomllib lets this through
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from None
    table = data.get("tool", {}).get(TABLE) if isinstance(data.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return table


def find_config(start: Path, explicit: Path | None = None) -> ConfigFile:
    """Walk up from `start`: the first pyproject.toml with our table wins.

    Without one, the project root is the folder of the nearest pyproject.toml,
    else the current folder.
    """
    if explicit is not None:
        table = load_pyproject(explicit)
        # abspath, not resolve: walked paths keep their symlinked folders too.
        return ConfigFile(explicit, Path(os.path.abspath(explicit)).parent, table or {})
    nearest: Path | None = None
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            if nearest is None:
                nearest = folder
            table = load_pyproject(candidate)
            if table is not None:
                return ConfigFile(candidate, folder, table)
    return ConfigFile(None, nearest or Path.cwd(), {})


def _known_codes() -> list[str]:
    from .rules import Code

    return [code.value for code in Code]


class ConfigFinder:
    """Each file's own configuration: the nearest pyproject.toml with our table, as ruff does.

    One answer per folder, so a run over many files reads each pyproject.toml once;
    a folder whose table is broken keeps its ConfigError, so it is not read again.
    """

    def __init__(self, flags: Mapping[str, Any]) -> None:
        self.flags = flags
        self._files: dict[str, ConfigFile | ConfigError] = {}
        self._options: dict[Path | None, Options | ConfigError] = {}

    def config_for(self, folder: str, listing: Container[str] | None = None) -> ConfigFile:
        """`find_config(folder)` for an absolute folder, each folder's answer built on its
        parent's, so that a tree of many folders under one pyproject.toml reads it once.

        `listing`: the folder's entry names when the caller has them (a walk): a folder
        without a `pyproject.toml` entry then costs no `stat`.
        """
        found = self._files.get(folder)
        if found is None:
            try:
                found = self._find(folder, listing)
            except ConfigError as error:
                found = error
            self._files[folder] = found
        if isinstance(found, ConfigError):
            raise found
        return found

    def _find(self, folder: str, listing: Container[str] | None) -> ConfigFile:
        parent = os.path.dirname(folder)
        candidate = os.path.join(folder, "pyproject.toml")
        if (listing is not None and "pyproject.toml" not in listing) or not os.path.isfile(
            candidate
        ):
            return self.config_for(parent) if parent != folder else ConfigFile(None, Path.cwd(), {})
        table = load_pyproject(Path(candidate))  # the nearest table wins: read no further
        if table is not None:
            return ConfigFile(Path(candidate), Path(folder), table)
        above = self.config_for(parent) if parent != folder else None
        if above is not None and above.path is not None:
            return above  # a table further up wins over a nearer file without one
        return ConfigFile(None, Path(folder), {})  # the nearest pyproject.toml is the root

    def options_in(
        self, folder: str, listing: Container[str] | None = None
    ) -> tuple[ConfigFile, Options]:
        """(config, options) of the absolute `folder`; ConfigError if they are bad."""
        config = self.config_for(folder, listing)
        options = self._options.get(config.path)
        if options is None:
            try:
                options = resolve(config, self.flags)
            except ConfigError as error:
                options = error
            self._options[config.path] = options
        if isinstance(options, ConfigError):
            raise options
        return config, options

    def options_for(self, path: str) -> tuple[ConfigFile, Options]:
        """(config, options) for the file at absolute `path`; ConfigError if they are bad."""
        return self.options_in(os.path.dirname(path))


def _normalise_key(key: str) -> str:
    key = key.replace("_", "-").lower()
    return _ALIASES.get(key, key)


def _names(value: Any, option: str) -> tuple[str, ...]:
    if isinstance(value, str) or (
        isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    ):
        return split_names(value)
    raise ConfigError(f"{option}: expected a list of strings or a comma-separated string")


def _parse(option: str, value: Any, base: str) -> Any:
    kind = _KINDS[option]
    if kind == "names":
        return _names(value, option)
    if kind == "codes":
        codes = tuple(c.upper() for c in _names(value, option))
        for code in codes:
            if not _CODE_PREFIX.match(code):
                raise ConfigError(f"{option}: {code!r} is not a code or code prefix (like DRP001)")
            if not any(known.startswith(code) for known in _known_codes()):
                # A typo (`DPR`) or another tool's code would silently select nothing.
                raise ConfigError(
                    f"{option}: {code!r} matches no code of flake8-dropout "
                    f"({', '.join(_known_codes())})"
                )
        if option == "select" and not codes:
            raise ConfigError(f"{option}: selects nothing (give DRP, or codes like DRP001)")
        return codes
    if kind == "patterns":
        return tuple(Pattern(p.rstrip("/") or p, base) for p in _names(value, option))
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{option}: expected true or false")
    if kind == "fix-style":
        if value not in FIX_STYLES:
            raise ConfigError(f"{option}: expected one of {', '.join(FIX_STYLES)}")
        return value
    if kind == "output-format":
        if value not in OUTPUT_FORMATS:
            raise ConfigError(f"{option}: expected one of {', '.join(OUTPUT_FORMATS)}")
        return value
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{option}: expected a path")
        return Path(base, os.path.expanduser(value))
    if kind == "per-file":
        if not isinstance(value, dict):
            raise ConfigError(f'{option}: expected a table like {{"tests/*" = ["DRP002"]}}')
        return tuple(
            (Pattern(pattern.rstrip("/") or pattern, base), _parse("ignore", codes, base))
            for pattern, codes in value.items()
        )
    if kind == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{option}: expected a whole number >= 1")
        return value
    raise AssertionError(kind)  # pragma: no cover


def _layer(raw: Mapping[str, Any], base: str, origin: str) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        option = _normalise_key(key)
        if option not in _KINDS:
            known = ", ".join(sorted(_KINDS))
            raise ConfigError(f"{origin}: unknown option {key!r} (known: {known})")
        try:
            parsed[option] = _parse(option, value, base)
        except ConfigError as error:
            raise ConfigError(f"{origin}: {error}") from None
    return parsed


def resolve(
    file: ConfigFile,
    flags: Mapping[str, Any],
    environ: Mapping[str, str] = os.environ,
    cwd: str | None = None,
) -> Options:
    """File table, then flags (values None mean "not given"), into Options."""
    cwd = cwd or os.getcwd()
    origin = f"{file.path} [tool.{TABLE}]" if file.path else "configuration"
    values = _layer(file.table, str(file.root), origin)
    env_cache = environ.get(CACHE_DIR_ENV)
    if env_cache:
        values.update(_layer({"cache-dir": env_cache}, cwd, CACHE_DIR_ENV))
    values.update(_layer(flags, cwd, "command line"))

    select = values.get("select", ("DRP",)) + values.get("extend-select", ())
    ignore = values.get("ignore", ()) + values.get("extend-ignore", ())
    user_exclude = values.get("exclude", ()) + values.get("extend-exclude", ())
    default_exclude = tuple(Pattern(p, str(file.root)) for p in DEFAULT_EXCLUDE)
    exclude = values.get("exclude", default_exclude) + values.get("extend-exclude", ())
    default_include = tuple(Pattern(p, str(file.root)) for p in DEFAULT_INCLUDE)
    include = values.get("include", default_include) + values.get("extend-include", ())
    cache_dir: Path | None = None
    if values.get("cache", True):
        cache_dir = values.get("cache-dir", file.root / CACHE_DIR_NAME)
    return Options(
        settings=Settings.from_options(module_bases=values.get("module-bases", ())),
        select=select,
        ignore=ignore,
        exclude=exclude,
        user_exclude=user_exclude,
        include=include,
        fix_style=values.get("fix-style", "layer"),
        unsafe_fixes=values.get("unsafe-fixes", False),
        show_fixes=values.get("show-fixes", False),
        output_format=values.get("output-format", "text"),
        cache_dir=cache_dir,
        # More processes than cores only cost (each imports libcst): the cores cap -j.
        jobs=min(values.get("jobs", available_cores()), available_cores()),
        per_file_ignores=values.get("per-file-ignores", ()),
    )


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def common_start(paths: Iterable[str], cwd: str | None = None) -> Path:
    """The folder to look for pyproject.toml from: the common folder of the paths."""
    cwd = cwd or os.getcwd()
    folders = []
    for path in paths:
        full = os.path.abspath(os.path.join(cwd, path))
        folders.append(full if os.path.isdir(full) else os.path.dirname(full))
    if not folders:
        return Path(cwd)
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives on Windows
        return Path(cwd)
