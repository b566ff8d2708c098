"""`python -m flake8_dropout` / `flake8-dropout`: check, fix or diff files and folders.

Exit status: 0 nothing left to report; 1 findings remain (also after --fix) or
--diff would change something; 2 usage or configuration error, or a path that
could not be read, decoded or parsed (named on stderr, never written; every
other file is still checked or fixed). --exit-zero turns 1 into 0, never 2.

One run, one function per step: the arguments and the configuration (`_configure`),
the files (`_check_files`: discovery, the result cache by mtime and size, the bytes:
bytes that cannot hold a finding are nothing to do for a discovered file; the rest goes
to pool.py, which runs work.py's text screen, `ast` and the judge on each file, here
or in worker processes), stdin (`_check_stdin`), then the output (`_report`).
A discovered file is parsed only when the text screen finds a possible call, so
only then are its syntax errors reported; files named on the command line and
stdin are always decoded and parsed. A notebook (`.ipynb`, also stdin with such
a --stdin-filename) goes through notebook.py: its code cells are checked and
fixed as one module, its rows carry the cell, a cell that does not parse is
reported as an error of `path:cell N`.
"""

from __future__ import annotations

import argparse
import os
import stat as statmodule
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from .config import (
    FIX_STYLES,
    OUTPUT_FORMATS,
    ConfigError,
    ConfigFile,
    ConfigFinder,
    Options,
    common_start,
    find_config,
    resolve,
)
from .pool import Terminated, job_runner, terminated
from .source import SourceError
from .work import Context, Job, Outcome, run_job

if TYPE_CHECKING:
    from .discovery import Target

STDIN = "-"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flake8-dropout",
        description="Find functional dropout that ignores model.eval() in PyTorch modules, "
        "and fix it into nn.Dropout layers.",
        epilog="Exit status: 0 nothing to report, 1 findings remain, 2 usage error or a file "
        "that cannot be read or parsed. Settings are read from [tool.flake8-dropout] in "
        "pyproject.toml; flags override them. Subcommands: 'flake8-dropout rule CODE' explains "
        "a code; 'flake8-dropout server' runs the language server (write ./rule or ./server "
        "to check a path of that name).",
    )
    add = parser.add_argument
    add(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files and folders to check (default: .); - for stdin",
    )
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes (DRP001) in place")
    fixing.add_argument(
        "--unsafe-fixes",
        action="store_const",
        const=True,
        default=None,
        help="with --fix or --diff, also apply unsafe fixes (DRP002, DRP003)",
    )
    fixing.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; write nothing"
    )
    fixing.add_argument(
        "--fix-style",
        choices=FIX_STYLES,
        default=None,
        help="layer: register nn.Dropout layers (default); argument: pass training=self.training",
    )
    fixing.add_argument(
        "--add-noqa",
        action="store_true",
        help="silence every current finding with a # noqa: DRP00N comment on its line",
    )
    fixing.add_argument(
        "--show-fixes",
        action="store_const",
        const=True,
        default=None,
        help="list the findings that were fixed (with --diff: would be fixed)",
    )
    selection = parser.add_argument_group("selection")
    for flag, text in (
        ("--select", "codes or prefixes to report (default: DRP)"),
        ("--ignore", "codes or prefixes not to report"),
        ("--extend-select", "codes or prefixes added to --select"),
        ("--extend-ignore", "codes or prefixes added to --ignore"),
        ("--exclude", "patterns of paths to skip; replaces the defaults (.git, build, dist, ...)"),
        ("--extend-exclude", "patterns of paths to skip, added to --exclude"),
        ("--include", "patterns of files to check in folders; replaces *.py, *.ipynb"),
        ("--extend-include", "patterns of files to check in folders, added to --include"),
    ):
        selection.add_argument(flag, metavar="LIST", default=None, help=text)
    selection.add_argument(
        "--module-bases",
        "--dropout-module-bases",
        dest="module_bases",
        metavar="LIST",
        default=None,
        help="extra dotted base classes whose subclasses are nn.Modules",
    )
    output = parser.add_argument_group("output")
    output.add_argument("--output-format", choices=OUTPUT_FORMATS, default=None)
    output.add_argument(
        "--statistics", action="store_true", help="print the number of findings per code"
    )
    output.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even if findings remain (errors: still 2)"
    )
    output.add_argument("-q", "--quiet", action="store_true", help="no closing summary")
    output.add_argument(
        "--stdin-filename", metavar="PATH", default=None, help="the name of the file read from -"
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="processes (default and most: the cores available)",
    )
    run.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    run.add_argument("--cache-dir", metavar="PATH", default=None, help="where the cache lives")
    run.add_argument(
        "--config", metavar="PYPROJECT", default=None, help="read settings from this file"
    )
    run.add_argument("--version", action="version", version=f"flake8-dropout {__version__}")
    return parser


# --- the command ---------------------------------------------------------------------------


def _write(stream, text: str) -> None:
    if not text:
        return
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        encoding = stream.encoding or "utf-8"
        try:  # a non-UTF-8 file name goes out as its own bytes, as `ls` prints it
            data = text.encode(encoding, "surrogateescape")
        except UnicodeEncodeError:
            data = text.encode(encoding, "backslashreplace")
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(text)


def _silence_stdout() -> None:
    """Nothing more can be written: keep the interpreter's exit-time flush quiet too."""
    try:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
    except OSError:
        pass


def _exit_now(code: int) -> NoReturn:
    """Leave without the interpreter's exit handlers: the workers are stopped already.

    A worker ended while it sent a large outcome (a fixed file's bytes) leaves half
    a message in the pool's pipe; at exit, Python joins the pool's manager thread,
    which waits for the rest of it forever.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cyclic collector, run rarely (the workers inherit it).

    A run builds millions of short-lived tree nodes, freed by reference counts; at
    the default threshold (a collection every 700 allocations) the collector took
    about 5% of the CPU over transformers (benchmarks/run.py, part 2).
    """
    import gc

    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def main(argv: Sequence[str] | None = None) -> int:
    import warnings

    # Parsing a file (Python >= 3.12) warns about its code (`x is 1`, "\d") as
    # `<unknown>:N: SyntaxWarning`, naming no file: not ours to report.
    warnings.simplefilter("ignore", SyntaxWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    # A closed stdout or stderr (`>&-`) is None here: the exit status still tells.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115 - lives until exit
    try:
        import signal

        signal.signal(signal.SIGTERM, terminated)
    except (ValueError, OSError):  # not the main thread: leave signals alone
        pass
    try:
        with _few_collections():
            return _main(list(sys.argv[1:] if argv is None else argv))
    except Terminated:
        _exit_now(143)
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        return exit_.code if isinstance(exit_.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except OSError as error:  # writing the output failed: a full disk (/dev/full), EIO, ...
        _silence_stdout()
        reason = error.strerror or error
        try:
            _write(sys.stderr, f"flake8-dropout: error: cannot write the output: {reason}\n")
        except OSError:
            pass
        return 2
    except Exception as error:  # noqa: BLE001 - never a traceback
        _write(sys.stderr, f"flake8-dropout: internal error: {type(error).__name__}: {error}\n")
        return 2


def _usage_error(message: str) -> int:
    _write(sys.stderr, f"flake8-dropout: error: {message}\n")
    return 2


class _UsageError(Exception):
    """A bad command line or configuration: said on stderr, exit status 2."""


def _main(argv: list[str]) -> int:
    from .commands import SUBCOMMANDS, run_subcommand

    if argv and argv[0] in SUBCOMMANDS:  # `rule CODE`, `server`: see commands.py
        return run_subcommand(argv[0], argv[1:])
    try:
        run = _configure(_parse_arguments(argv))
    except _UsageError as error:
        return _usage_error(str(error))
    results, errors = _check_files(run)
    stdin_outcome = _check_stdin(run, results, errors)
    return _report(run, results, errors, stdin_outcome)


def _parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The flags and paths (default `.`), `--` honoured; _UsageError if they do not fit."""
    # `--` ends the options (a file may be named `-x.py`); argparse's intermixed
    # parsing does not honour it, so the paths after it are added here.
    after_dashes: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, after_dashes = argv[:split], argv[split + 1 :]
    args = build_parser().parse_intermixed_args(argv)
    args.paths = [*args.paths, *after_dashes] or ["."]
    if args.paths.count(STDIN) > 1:
        raise _UsageError("- (stdin) can be given only once")
    if args.jobs is not None and args.jobs < 1:
        raise _UsageError("--jobs must be at least 1")
    if args.add_noqa and (args.fix or args.diff):
        raise _UsageError("--add-noqa cannot be combined with --fix or --diff")
    return args


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    """The configuration keys the command line sets (None: not given, the file decides)."""
    return {
        "module-bases": args.module_bases,
        "select": args.select,
        "ignore": args.ignore,
        "extend-select": args.extend_select,
        "extend-ignore": args.extend_ignore,
        "exclude": args.exclude,
        "extend-exclude": args.extend_exclude,
        "include": args.include,
        "extend-include": args.extend_include,
        "fix-style": args.fix_style,
        "unsafe-fixes": args.unsafe_fixes,
        "show-fixes": args.show_fixes,
        "output-format": args.output_format,
        "cache-dir": args.cache_dir,
        "cache": False if args.no_cache else None,
        "jobs": args.jobs,
    }


@dataclass
class _Run:
    """One invocation: its arguments, the run's options, and each file's own settings."""

    args: argparse.Namespace
    config: ConfigFile  # the table nearest to the common folder of the paths (or --config)
    options: Options  # what the run does as a whole comes from `config`
    context: Context  # the settings of a file that has no nearer table
    finder: ConfigFinder | None  # None with --config: one file for everything
    file_contexts: dict[str, Context] = field(default_factory=dict)  # display -> its own
    caches: dict[str, Any] = field(default_factory=dict)  # settings key -> Cache
    _contexts: dict[tuple, Context] = field(default_factory=dict)  # see context_for

    @property
    def mode(self) -> str:
        return self.context.mode

    def context_for(self, path: str) -> Context:
        """The settings of the file at `path`: its nearest pyproject.toml's (as ruff).

        One Context per (options, ignore list): a run over thousands of files
        builds and compares a handful.
        """
        absolute = os.path.abspath(path)
        own = self.options if self.finder is None else self.finder.options_for(absolute)[1]
        ignore = own.ignore_for(absolute)
        key = (id(own), ignore)  # `own` lives as long as the run (the finder keeps it)
        context = self._contexts.get(key)
        if context is None:
            built = Context(
                own.settings, own.select, ignore, self.mode, own.unsafe_fixes, own.fix_style
            )
            context = self.context if built == self.context else built
            self._contexts[key] = context
        return context

    def cache_for(self, settings):  # -> Cache | None
        """The result cache for files checked with `settings` (None: no cache this run)."""
        if self.mode != "check" or self.options.cache_dir is None:
            return None
        key = settings.cache_key()
        if key not in self.caches:
            from .cache import Cache

            self.caches[key] = Cache(Path(os.path.abspath(self.options.cache_dir)), key)
        return self.caches[key]


def _configure(args: argparse.Namespace) -> _Run:
    """The run's configuration and mode; _UsageError for a bad configuration."""
    starts = [p if p != STDIN else (args.stdin_filename or ".") for p in args.paths]
    flags = _flags(args)
    try:
        config = find_config(common_start(starts), Path(args.config) if args.config else None)
        options = resolve(config, flags)
    except ConfigError as error:
        raise _UsageError(str(error)) from None
    if args.fix and args.diff:  # as ruff: --diff wins; said, not silent
        _write(sys.stderr, "flake8-dropout: --diff given: nothing is written (--fix ignored)\n")
    mode = "diff" if args.diff else ("fix" if args.fix else "check")
    mode = "add-noqa" if args.add_noqa else mode
    context = Context(
        options.settings,
        options.select,
        options.ignore,
        mode,
        options.unsafe_fixes,
        options.fix_style,
        args.stdin_filename,
    )
    finder = None if args.config else ConfigFinder(flags)
    return _Run(args, config, options, context, finder)


Results = list[tuple[str, Outcome]]  # (display, outcome)
Errors = list[tuple[str, str]]  # (display, reason)


def _check_files(run: _Run) -> tuple[Results, Errors]:
    """Every file the paths name or hold: found, answered from the cache or checked."""
    from .discovery import PathError, Selections, find_targets

    options = run.options
    file_paths = [p for p in run.args.paths if p != STDIN]
    selections = Selections(run.finder, run.config, options)  # each folder's table's patterns
    path_errors: list[PathError] = []
    targets: Iterable[Target] = find_targets(file_paths, selections, path_errors)
    if run.mode in ("fix", "add-noqa"):  # nothing is written while folders are walked
        targets = list(targets)
    errors: Errors = []
    results: Results = []
    with job_runner(run.context, options.jobs) as runner:
        stats = _read_targets(run, targets, results, errors, runner.add)
        jobs, outcomes = runner.jobs, runner.outcomes()
    errors.extend((e.display, e.reason) for e in path_errors)
    for job, outcome in zip(jobs, outcomes):
        results.append((job.display, outcome))
        cache = run.cache_for((job.context or run.context).settings)
        if cache is not None and outcome.error is None and not outcome.cell_errors:
            cache.put(job.path, stats[job.index], outcome.parsed, outcome.rows, outcome.depends)
    for cache in run.caches.values():
        cache.save()
    return results, errors


def _read_targets(
    run: _Run,
    targets: Iterable[Target],
    results: Results,
    errors: Errors,
    add: Callable[[Job], None],
) -> dict[int, os.stat_result]:
    """`add` the jobs left after the cache and the byte screen; returns each job's stat.

    A file the cache answers, or a discovered one whose bytes cannot hold a finding
    (text_screen.bytes_may_hold_finding), goes straight to `results`; one that
    cannot be read, or whose settings are bad, to `errors`.
    """
    from .source import read_bytes
    from .text_screen import bytes_may_hold_finding

    stats: dict[int, os.stat_result] = {}
    for target in targets:
        try:
            target_context = run.context_for(target.path)
        except ConfigError as error:
            errors.append((target.display, f"configuration: {error}"))
            continue
        if target_context is not run.context:
            run.file_contexts[target.display] = target_context
        cache = run.cache_for(target_context.settings)
        try:
            if cache is not None:  # else read_bytes' own fstat is all the stat needed
                stat = os.stat(target.path)
                rows = cache.get(target.path, stat, need_parsed=target.explicit)
                if rows is not None:
                    results.append((target.display, Outcome(rows)))
                    continue
            data, stat = read_bytes(target.path)
        except OSError as error:
            errors.append((target.display, f"cannot read: {error.strerror or error}"))
            continue
        except SourceError as error:
            errors.append((target.display, str(error)))
            continue
        if not target.explicit and not bytes_may_hold_finding(data, star_imports=True):
            results.append((target.display, Outcome()))
            if cache is not None:
                cache.put(target.path, stat, False, [])
            continue
        stats[len(stats)] = stat
        # Read once here; a pool worker reads a regular file again (cheap, from the page
        # cache) rather than receive its bytes through a pipe, but a pipe or FIFO is
        # read only once, so its bytes travel with the job.
        add(
            Job(
                len(stats) - 1,
                target.display,
                target.path,
                data,
                target.explicit,
                len(data),
                statmodule.S_ISREG(stat.st_mode),
                target.outside,
                target_context if target_context is not run.context else None,
            )
        )
    return stats


def _check_stdin(run: _Run, results: Results, errors: Errors) -> Outcome | None:
    """`-`: the buffer read from stdin, checked (or, with --fix/--add-noqa, written back
    to stdout: an editor replaces its buffer with it)."""
    args = run.args
    display = args.stdin_filename or "stdin"
    if STDIN not in args.paths:
        return None
    if sys.stdin is None:  # closed (`<&-`)
        errors.append((display, "cannot read: standard input is closed"))
        return None
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    context = run.context
    if args.stdin_filename:
        try:
            context = run.context_for(args.stdin_filename)
        except ConfigError:
            pass  # the file may not exist: the common configuration then
        if context is not run.context:
            run.file_contexts[display] = context
    if args.stdin_filename:  # the project's line length, bases and star imports are there
        context = replace(context, stdin_path=args.stdin_filename)
    outcome = run_job(context, Job(-1, display, None, data, True, len(data), False))
    results.append((display, outcome))
    if run.mode in ("fix", "add-noqa"):
        # An editor replaces its buffer with this: on an error, give the input back.
        out = outcome.output if outcome.error is None else data
        sys.stdout.flush()
        sys.stdout.buffer.write(out if out is not None else data)
        sys.stdout.flush()
    return outcome


@dataclass
class _Found:
    """The outcomes gathered for output, sorted as they are printed."""

    remaining: list  # [Reported]: findings left (after --fix: in the fixed files)
    fixed: list  # [Reported]
    diffs: list[tuple[str, str]]  # (display, unified diff)
    noqa_added: int


def _gather(run: _Run, results: Results, errors: Errors) -> _Found:
    """The selected findings, fixes and diffs of every outcome; its errors go to `errors`."""
    from .report import Reported

    found = _Found([], [], [], 0)
    for display, outcome in results:
        if outcome.error is not None:
            errors.append((display, outcome.error))
            continue
        errors.extend((f"{display}:cell {cell}", why) for cell, why in outcome.cell_errors)
        selected = run.file_contexts.get(display, run.context).is_selected
        found.remaining.extend(Reported(display, *row) for row in outcome.rows if selected(row[2]))
        found.fixed.extend(Reported(display, *row) for row in outcome.fixed)
        if outcome.diff:
            found.diffs.append((display, outcome.diff))
        found.noqa_added += outcome.noqa_added
    found.remaining.sort(key=Reported.order)
    found.fixed.sort(key=Reported.order)
    found.diffs.sort()
    errors.sort()
    return found


def _report(run: _Run, results: Results, errors: Errors, stdin_outcome: Outcome | None) -> int:
    """Print the findings, diffs, fixes, errors and summary; return the exit status."""
    from .report import FORMATS, summary

    args, options, mode = run.args, run.options, run.mode
    found = _gather(run, results, errors)
    remaining, fixed = found.remaining, found.fixed
    findings_stream = sys.stdout
    if mode == "diff" or (mode in ("fix", "add-noqa") and stdin_outcome is not None):
        findings_stream = sys.stderr
    if mode == "diff":
        _write(sys.stdout, "".join(diff for _, diff in found.diffs))
    if args.statistics:
        from .report import format_statistics

        _write(
            findings_stream,
            format_statistics(remaining, options.output_format, options.unsafe_fixes),
        )
    else:
        _write(findings_stream, FORMATS[options.output_format](remaining))
    if mode == "add-noqa" and not args.quiet:
        added = found.noqa_added
        _write(sys.stderr, f"Added {added} noqa directive{'' if added == 1 else 's'}.\n")
    if options.show_fixes and fixed:
        verb = "Would fix" if mode == "diff" else "Fixed"
        notes = [f" ({item.note})" if item.note else "" for item in fixed]
        _write(sys.stderr, "".join(f"{verb} {i.text}{n}\n" for i, n in zip(fixed, notes)))
    _write(sys.stderr, "".join(f"{display}: error: {reason}\n" for display, reason in errors))
    if not args.quiet:
        text = summary(
            remaining,
            len(fixed),
            len(errors),
            unsafe_fixes=options.unsafe_fixes,
            mode=mode,
            in_place=[item.note for item in fixed if item.note],
        )
        _write(sys.stderr, text)

    if errors:
        return 2
    if remaining or found.diffs:
        return 0 if args.exit_zero else 1
    return 0
