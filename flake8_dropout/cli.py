"""`python -m flake8_dropout` / `flake8-dropout`: check, fix or diff files and folders.

Exit status: 0 nothing left to report; 1 findings remain (also after --fix) or
--diff would change something; 2 usage or configuration error, or a path that
could not be read, decoded or parsed (named on stderr, never written; every
other file is still checked or fixed). --exit-zero turns 1 into 0, never 2.

Work per file, cheapest first: the result cache (by mtime and size); then the
bytes (no b"dropout" and b"torch": nothing to do for a discovered file), both
in the main process; then, in a worker, decode and the text screen (screen.py:
`ast` on a few top-level blocks at most); then `ast` on the whole file; then
libcst through `engine.check`. A discovered file is parsed only when the text
screen finds a possible call, so only then are its syntax errors reported.
Files named on the command line and stdin are always decoded and parsed. libcst
and the fixer are imported only when a file needs them. A notebook (`.ipynb`,
also stdin with such a --stdin-filename) goes through notebook.py: its code
cells are checked and fixed as one module, its rows carry the cell, a cell
that does not parse is reported as an error of `path:cell N`.
"""

from __future__ import annotations

import argparse
import io
import os
import stat as statmodule
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .config import (
    FIX_STYLES,
    OUTPUT_FORMATS,
    ConfigError,
    common_start,
    find_config,
    is_selected,
    resolve,
)
from .source import SourceError

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


# --- the work on one file (runs in worker processes too) --------------------------------


@dataclass(frozen=True)
class Context:
    settings: object  # Settings
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    mode: str  # "check", "fix", "diff", "add-noqa"
    unsafe: bool
    style: str
    stdin_path: str | None = None  # --stdin-filename: where the project's line length is read

    def is_selected(self, code: str) -> bool:
        return is_selected(code, self.select, self.ignore)


@dataclass
class Job:
    index: int
    display: str
    path: str | None  # None: stdin
    data: bytes | None  # None: the worker reads `path` itself (nothing big to pickle)
    explicit: bool
    size: int = 0  # bytes: the pool starts the largest files first
    rereadable: bool = True  # a regular file: a worker may read it again instead
    outside: bool = False  # a walked symlink to outside the walked folder: --fix never writes it
    context: Context | None = None  # the file's own settings (its nearest pyproject.toml)


@dataclass
class Outcome:
    rows: list[tuple] = field(default_factory=list)  # (line, column, code, message, fix, note)
    parsed: bool = False
    error: str | None = None
    fixed: list[tuple] = field(default_factory=list)
    diff: str = ""
    output: bytes | None = None  # the fixed bytes (stdin)
    cell_errors: list[tuple[int, str]] = field(default_factory=list)  # notebook cells left out
    noqa_added: int = 0  # --add-noqa: comments added or extended
    depends: list = field(default_factory=list)  # [path, mtime_ns, size] of other files read


def _project_settings(context: Context, job: Job):  # -> Settings
    """The run's settings, seeing the bases the file imports from other project files."""
    if job.path is None:
        return context.settings
    from .project import ProjectClasses

    project = ProjectClasses(job.path, context.settings)  # type: ignore[arg-type]
    return replace(context.settings, project=project)  # type: ignore[type-var]


def _depends(settings) -> list:
    project = getattr(settings, "project", None)
    return [[path, *stamp] for path, stamp in project.read.items()] if project else []


def _rows(findings, text: str, notes: dict | None = None) -> list[tuple]:
    from .noqa import NoqaLines

    if not findings:
        return []
    noqa = NoqaLines(text)
    notes = notes or {}
    return [
        (f.line, f.column, f.code.value, f.message, f.applicability.value, notes.get(f, f.note))
        for f in findings
        if not noqa.suppresses(f.line, f.code.value)
    ]


def unified_diff(display: str, old: str, new: str) -> str:
    import difflib

    before = io.StringIO(old, newline="").readlines()
    after = io.StringIO(new, newline="").readlines()
    out = []
    for line in difflib.unified_diff(before, after, fromfile=display, tofile=display):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _read(job: Job) -> bytes:
    if job.data is not None:
        return job.data
    from .source import read_bytes

    return read_bytes(job.path)[0]  # type: ignore[arg-type]


def _refuse_data_file(path: str, tree) -> None:
    """A named file that is not `.py` and parses as bare expressions (a notebook's JSON,
    a data file) is data, not code: say so rather than pass it as clean Python."""
    import ast

    suffix = os.path.splitext(path)[1].lower()
    if suffix in ("", ".py", ".pyi", ".pyw") or not tree.body:
        return
    if all(isinstance(statement, ast.Expr) for statement in tree.body):
        raise SourceError(f"not Python source (a {suffix} file of data): not checked")


def _fix(context: Context, job: Job, text: str, settings):  # -> fix.FixResult
    """The fixer on a file's text, or a notebook's module, with the run's options."""
    from .fix import fix_source
    from .line_length import line_length_for

    return fix_source(
        text,
        settings,
        unsafe=context.unsafe,
        style=context.style,
        selected=context.is_selected,
        line_length=line_length_for(job.path or context.stdin_path),
    )


def _work(context: Context, job: Job) -> Outcome:
    if context.mode == "add-noqa":
        return _add_noqa(context, job)
    # Discovered files without b"dropout" and b"torch" never become jobs (see _main).
    data = original = _read(job)
    from .notebook import is_notebook

    if is_notebook(job.display if job.path is None else job.path):
        return _work_notebook(context, job, data)
    from .engine import check, parse_ast
    from .source import decode

    decoded = decode(data)
    text = decoded.text
    settings = _project_settings(context, job)
    # A discovered file is parsed only if the screens find a possible call (`check`
    # and `fix_source` run them); a named file always is, so its syntax errors show.
    tree = parse_ast(text) if job.explicit else None
    if tree is not None and job.path is not None:
        _refuse_data_file(job.path, tree)
    if context.mode == "check":
        rows = _rows(check(text, settings, tree=tree), text)
        return Outcome(rows, parsed=job.explicit, depends=_depends(settings))

    result = _fix(context, job, text, settings)
    new = result.source
    fixed = [
        (f.line, f.column, f.code.value, f.message, f.applicability.value, result.notes.get(f, ""))
        for f in result.fixed
    ]
    outcome = Outcome(parsed=True, fixed=fixed)
    if new != text and not decoded.round_trips(data):
        raise SourceError(
            f"cannot fix: the {decoded.encoding} codec does not give back the file's own bytes; "
            "left unchanged"
        )
    if new == text:
        outcome.rows = _rows(result.found, text, result.notes)
        outcome.output = data
        return outcome
    try:
        new_tree = parse_ast(new)
    except SourceError as error:
        raise SourceError(
            f"the fix does not parse ({error}); left unchanged, please report"
        ) from None
    try:
        data = decoded.encode(new)
    except UnicodeError as error:  # UnicodeEncodeError, or `idna`'s own UnicodeError
        raise SourceError(f"the fix cannot be encoded as {decoded.encoding}: {error}") from None
    outcome.output = data
    if context.mode == "diff":
        # Nothing is written: report what would remain at its place in the file as it is.
        done = {row[:3] for row in fixed}
        before = _rows(result.found, text, result.notes)
        outcome.rows = [row for row in before if row[:3] not in done]
        outcome.diff = unified_diff(job.display, text, new)
        return outcome
    outcome.rows = _rows(check(new, settings, tree=new_tree), new)
    _write_back(job, data, original)
    return outcome


def _write_back(job: Job, data: bytes, original: bytes) -> None:
    """Write a changed file atomically (stdin: nothing to write); see README, *Writes*.

    Never through a symbolic link out of the walked folder, never over an edit made
    since `original` was read.
    """
    if job.path is None:
        return
    from .source import write_atomic

    if job.outside:
        raise SourceError(
            "a symbolic link to a file outside the folder walked: the fix is not written"
        )
    try:
        write_atomic(Path(job.path), data, expected=original)
    except OSError as error:
        raise SourceError(f"cannot write: {error.strerror or error}") from None


def _ended(cell: str) -> str:
    return cell if not cell or cell.endswith(("\n", "\r")) else cell + "\n"


def _work_notebook(context: Context, job: Job, data: bytes) -> Outcome:
    """`_work` for a notebook: its code cells are one module (notebook.py); rows name the cell."""
    from .engine import check, parse_ast
    from .notebook import Notebook

    notebook = Notebook.load(data)
    text = notebook.module

    def in_cells(rows: list[tuple], book: Notebook = notebook) -> list[tuple]:
        placed = []
        for line, column, *rest in rows:
            cell, cell_line = book.position(line)
            placed.append((cell_line, column, *rest, cell))
        return placed

    tree = parse_ast(text)
    settings = _project_settings(context, job)
    outcome = Outcome(parsed=True, cell_errors=notebook.errors, output=data)
    if context.mode == "check":
        outcome.rows = in_cells(_rows(check(text, settings, tree=tree), text))
        outcome.depends = _depends(settings)
        return outcome
    result = _fix(context, job, text, settings)
    new = result.source
    fixed = [
        (f.line, f.column, f.code.value, f.message, f.applicability.value, result.notes.get(f, ""))
        for f in result.fixed
    ]
    outcome.fixed = in_cells(fixed)
    before = _rows(result.found, text, result.notes)
    if new == text:
        outcome.rows = in_cells(before)
        return outcome
    try:
        parse_ast(new)
    except SourceError as error:
        raise SourceError(
            f"the fix does not parse ({error}); left unchanged, please report"
        ) from None
    changes = notebook.changed_cells(new)
    outcome.output = notebook.write(changes)
    if context.mode == "diff":
        done = {row[:3] for row in fixed}
        outcome.rows = in_cells([row for row in before if row[:3] not in done])
        # A cell's last line has no line break (nbformat's convention): not worth a
        # "\ No newline at end of file" in every hunk, so the diff adds one to both.
        outcome.diff = "".join(
            unified_diff(f"{job.display}:cell {number}", *(_ended(old), _ended(fixed_cell)))
            for number, (old, fixed_cell) in sorted(changes.items())
        )
        return outcome
    after = Notebook.load(outcome.output)  # what is written is what is checked again
    outcome.rows = in_cells(_rows(check(after.module, settings), after.module), after)
    _write_back(job, outcome.output, data)
    return outcome


def _add_noqa(context: Context, job: Job) -> Outcome:
    """Silence the file's selected findings; what remains is checked again, from the new text."""
    from .add_noqa import add_noqa
    from .engine import check, parse_ast
    from .source import decode

    if (job.path or job.display).lower().endswith(".ipynb"):
        raise SourceError("--add-noqa does not edit notebooks yet; add the # noqa in the cell")
    data = _read(job)
    decoded = decode(data)
    text = decoded.text
    tree = parse_ast(text) if job.explicit else None  # as when checking (see _work)
    settings = _project_settings(context, job)  # the findings a check reports
    rows = _rows(check(text, settings, tree=tree), text)
    new, added = add_noqa(text, [(row[0], row[2]) for row in rows if context.is_selected(row[2])])
    outcome = Outcome(rows, parsed=True, output=decoded.encode(new), noqa_added=added)
    if new != text:
        try:
            new_tree = parse_ast(new)
        except SourceError as error:
            raise SourceError(f"the noqa comments do not parse ({error}); left unchanged") from None
        outcome.rows = _rows(check(new, settings, tree=new_tree), new)
        _write_back(job, outcome.output, data)
    return outcome


def run_job(context: Context, job: Job) -> Outcome:
    """`_work` that never raises: every failure becomes the file's error."""
    try:
        return _work(job.context or context, job)
    except SourceError as error:
        return Outcome(error=str(error))
    except RecursionError:
        return Outcome(error="too deeply nested to analyse (RecursionError)")
    except MemoryError:
        return Outcome(error="out of memory while analysing")
    except Exception as error:  # noqa: BLE001 - reported as the file's error, never a traceback
        return Outcome(error=f"internal error: {type(error).__name__}: {error}")


#: Bytes of source left after the byte screen below which workers cost more than they
#: save: starting a pool and importing libcst in each worker takes about as long as
#: screening this much source here (see benchmarks/run.py, part 5: the few files that
#: pre-commit and editors pass never wait for workers).
POOL_MIN_BYTES = 1 << 20


def _may_hold_finding(job: Job) -> bool:
    """The text screen, here in the main process: most discovered files stop at it.

    Named files are always parsed (their syntax errors are reported), notebooks are
    JSON until notebook.py unpacks them, and a file that does not decode is left to
    the worker, which reports why.
    """
    if job.explicit or job.data is None:
        return True
    from .notebook import is_notebook

    if is_notebook(job.path or job.display):
        return True
    from .source import decode
    from .text_screen import text_screen

    try:
        return text_screen(decode(job.data).text).possible
    except (SourceError, RecursionError, MemoryError, ValueError):
        return True


def _workers_worth(jobs: list[Job], jobs_option: int) -> int:
    """The worker processes the work left pays for: one (this process) for a little."""
    if sum(job.size for job in jobs) < POOL_MIN_BYTES:
        return 1
    return min(jobs_option, len(jobs))


class Terminated(BaseException):
    """SIGTERM reached the main process: stop the workers, then exit 143."""


def _terminated(signum, frame) -> None:
    raise Terminated


def _worker_signals() -> None:
    """In a worker: SIGTERM unwinds (removing a half-written temporary file), then exits."""
    import signal

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C


def _stop_pool(pool, now: bool) -> None:
    """Shut the pool down; `now`: end its workers at once instead of letting them finish."""
    if now:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                process.terminate()
            except (OSError, ValueError, AttributeError):
                pass
    pool.shutdown(wait=not now, cancel_futures=True)


def _start_pool(workers: int):
    """A process pool (None if there is none here)."""
    try:
        from concurrent.futures import ProcessPoolExecutor

        from . import engine  # noqa: F401 - imported once here, inherited by forked workers

        return ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals)
    except (OSError, ImportError, RuntimeError):  # no process pool here: run serially
        return None


def _run_all(context: Context, jobs: list[Job], workers: int, pool=None) -> list[Outcome]:
    """Every job's outcome, in the order of `jobs`, whether run serially or in a pool.

    The pool gets paths, not bytes (a worker reads its file), the largest files
    first and in small chunks, so that no worker is left with a long file at
    the end while the others idle. A single job runs here: a pool would only cost.
    """
    if pool is None and len(jobs) > 1 and workers > 1:
        pool = _start_pool(min(workers, len(jobs)))
        if pool is not None:
            stopped = False
            try:
                return _run_all(context, jobs, workers, pool)
            except BaseException:
                stopped = True
                _stop_pool(pool, now=True)
                raise
            finally:
                if not stopped:
                    _stop_pool(pool, now=False)
    if pool is not None and len(jobs) > 1:
        try:
            from dataclasses import replace
            from itertools import repeat

            order = sorted(range(len(jobs)), key=lambda i: -jobs[i].size)
            shipped = [
                replace(jobs[i], data=None) if jobs[i].rereadable else jobs[i] for i in order
            ]
            chunk = max(1, min(4, len(jobs) // 64))
            done = list(pool.map(run_job, repeat(context), shipped, chunksize=chunk))
            outcomes: list[Outcome] = [Outcome()] * len(jobs)
            for position, outcome in zip(order, done):
                outcomes[position] = outcome
            return outcomes
        except (OSError, RuntimeError):  # the pool broke: run serially
            pass
    return [run_job(context, job) for job in jobs]


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

        signal.signal(signal.SIGTERM, _terminated)
    except (ValueError, OSError):  # not the main thread: leave signals alone
        pass
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except Terminated:
        return 143
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


def _main(argv: list[str]) -> int:
    from .commands import SUBCOMMANDS, run_subcommand

    if argv and argv[0] in SUBCOMMANDS:  # `rule CODE`, `server`: see commands.py
        return run_subcommand(argv[0], argv[1:])
    # `--` ends the options (a file may be named `-x.py`); argparse's intermixed
    # parsing does not honour it, so the paths after it are added here.
    after_dashes: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, after_dashes = argv[:split], argv[split + 1 :]
    args = build_parser().parse_intermixed_args(argv)
    args.paths = [*args.paths, *after_dashes]
    paths = args.paths or ["."]
    if paths.count(STDIN) > 1:
        return _usage_error("- (stdin) can be given only once")
    if args.jobs is not None and args.jobs < 1:
        return _usage_error("--jobs must be at least 1")
    stdin_display = args.stdin_filename or "stdin"
    starts = [p if p != STDIN else (args.stdin_filename or ".") for p in paths]
    flags = {
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
    try:
        config = find_config(common_start(starts), Path(args.config) if args.config else None)
        options = resolve(config, flags)
    except ConfigError as error:
        return _usage_error(str(error))

    if args.add_noqa and (args.fix or args.diff):
        return _usage_error("--add-noqa cannot be combined with --fix or --diff")
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
    from .discovery import discover

    file_paths = [p for p in paths if p != STDIN]
    targets, path_errors = (
        discover(
            file_paths, options.exclude, options.user_exclude, str(config.root), options.include
        )
        if file_paths
        else ([], [])
    )
    errors: list[tuple[str, str]] = [(e.display, e.reason) for e in path_errors]

    caches: dict[str, object] = {}  # settings key -> Cache

    def cache_for(settings):
        if mode != "check" or options.cache_dir is None:
            return None
        key = settings.cache_key()
        if key not in caches:
            from .cache import Cache

            caches[key] = Cache(Path(os.path.abspath(options.cache_dir)), key)
        return caches[key]

    # Each file gets the settings of its nearest pyproject.toml (as ruff); --config: one for all.
    from .config import ConfigFinder

    finder = None if args.config else ConfigFinder(flags)
    file_contexts: dict[str, Context] = {}  # display -> its context, when not `context`

    def context_for(path: str) -> Context:
        own = options
        if finder is not None:
            own = finder.options_for(os.path.abspath(path))[1]
        own_context = Context(
            own.settings,
            own.select,
            own.ignore_for(os.path.abspath(path)),
            mode,
            own.unsafe_fixes,
            own.fix_style,
        )
        return context if own_context == context else own_context

    results: list[tuple[str, Outcome]] = []  # (display, outcome)
    jobs: list[Job] = []
    stats = {}
    from .source import read_bytes

    for target in targets:
        try:
            target_context = context_for(target.path)
        except ConfigError as error:
            errors.append((target.display, f"configuration: {error}"))
            continue
        if target_context is not context:
            file_contexts[target.display] = target_context
        cache = cache_for(target_context.settings)
        try:
            stat = os.stat(target.path)
            if cache is not None:
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
        if not target.explicit and (b"dropout" not in data or b"torch" not in data):
            results.append((target.display, Outcome()))
            if cache is not None:
                cache.put(target.path, stat, False, [])
            continue
        stats[len(jobs)] = stat
        # Read once here; a pool worker reads a regular file again (cheap, from the page
        # cache) rather than receive its bytes through a pipe, but a pipe or FIFO is
        # read only once, so its bytes travel with the job.
        regular = statmodule.S_ISREG(stat.st_mode)
        jobs.append(
            Job(
                len(jobs),
                target.display,
                target.path,
                data,
                target.explicit,
                len(data),
                regular,
                target.outside,
                target_context if target_context is not context else None,
            )
        )

    screened_out = [job for job in jobs if not _may_hold_finding(job)]
    for job in screened_out:
        results.append((job.display, Outcome()))
        cache = cache_for((job.context or context).settings)
        if cache is not None:
            cache.put(job.path, stats[job.index], False, [])
    jobs = [job for job in jobs if job not in screened_out]
    outcomes = _run_all(context, jobs, _workers_worth(jobs, options.jobs))
    for job, outcome in zip(jobs, outcomes):
        results.append((job.display, outcome))
        cache = cache_for((job.context or context).settings)
        if cache is not None and outcome.error is None and not outcome.cell_errors:
            cache.put(job.path, stats[job.index], outcome.parsed, outcome.rows, outcome.depends)
    for cache in caches.values():
        cache.save()

    stdin_outcome = None
    if STDIN in paths and sys.stdin is None:  # closed (`<&-`)
        errors.append((stdin_display, "cannot read: standard input is closed"))
    elif STDIN in paths:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        stdin_context = context
        if args.stdin_filename:
            try:
                stdin_context = context_for(args.stdin_filename)
            except ConfigError:
                pass  # the file may not exist: the common configuration then
            if stdin_context is not context:
                file_contexts[stdin_display] = stdin_context
        stdin_outcome = run_job(
            stdin_context, Job(-1, stdin_display, None, data, True, len(data), False)
        )
        results.append((stdin_display, stdin_outcome))
        if mode in ("fix", "add-noqa"):
            # An editor replaces its buffer with this: on an error, give the input back.
            out = stdin_outcome.output if stdin_outcome.error is None else data
            sys.stdout.flush()
            sys.stdout.buffer.write(out if out is not None else data)
            sys.stdout.flush()

    from .report import FORMATS, Reported, summary

    remaining: list[Reported] = []
    fixed: list[Reported] = []
    diffs: list[tuple[str, str]] = []
    noqa_added = 0
    for display, outcome in results:
        if outcome.error is not None:
            errors.append((display, outcome.error))
            continue
        errors.extend((f"{display}:cell {cell}", why) for cell, why in outcome.cell_errors)
        remaining.extend(
            Reported(display, *row)
            for row in outcome.rows
            if file_contexts.get(display, context).is_selected(row[2])
        )
        fixed.extend(Reported(display, *row) for row in outcome.fixed)
        if outcome.diff:
            diffs.append((display, outcome.diff))
        noqa_added += outcome.noqa_added
    remaining.sort(key=Reported.order)
    fixed.sort(key=Reported.order)
    errors.sort()

    findings_stream = sys.stdout
    if mode == "diff" or (mode in ("fix", "add-noqa") and stdin_outcome is not None):
        findings_stream = sys.stderr
    if mode == "diff":
        _write(sys.stdout, "".join(diff for _, diff in sorted(diffs)))
    if args.statistics:
        from .report import format_statistics

        _write(
            findings_stream,
            format_statistics(remaining, options.output_format, options.unsafe_fixes),
        )
    else:
        _write(findings_stream, FORMATS[options.output_format](remaining))
    if mode == "add-noqa" and not args.quiet:
        _write(sys.stderr, f"Added {noqa_added} noqa directive{'' if noqa_added == 1 else 's'}.\n")
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
    if remaining or diffs:
        return 0 if args.exit_zero else 1
    return 0
