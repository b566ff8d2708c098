"""The work on one file: check, fix, diff or --add-noqa it (in this process or a worker).

A job is one file (or stdin) and the settings it is checked with; its outcome is
plain data (rows, errors, the fixed bytes, a diff) that crosses a process pipe.
Nothing here prints or exits: `run_job` turns every failure into the file's error.
libcst and the fixer are imported only when a file is fixed: checking never loads them.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import is_selected
from .settings import Settings
from .source import SourceError


@dataclass(frozen=True)
class Context:
    settings: Settings
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
    screened: bool = False  # the text screen let it through: not screened again


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


def is_notebook(path: str) -> bool:
    """A notebook goes through notebook.py (imported only then): its code cells are the module."""
    return path.lower().endswith(".ipynb")


def _project_settings(context: Context, job: Job) -> Settings:
    """The run's settings, seeing what the file imports from other files (bases, star imports)."""
    path = job.path or context.stdin_path  # stdin: where --stdin-filename says it lives
    if path is None:
        return context.settings
    from .project import ProjectClasses

    project = ProjectClasses(path, context.settings)
    return replace(context.settings, project=project)


def _depends(settings: Settings) -> list:
    project = settings.project
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
    # Discovered files whose bytes cannot hold a finding never become jobs (see cli).
    data = original = _read(job)
    if is_notebook(job.display if job.path is None else job.path):
        return _work_notebook(context, job, data)
    from .engine import check, parse_ast
    from .source import decode

    decoded = decode(data)
    text = decoded.text
    settings = _project_settings(context, job)
    # A discovered file is parsed only if the screens find a possible call (`check`
    # and `fix_source` run them); a named file always is, so its syntax errors show.
    # One the text screen let through is parsed at once, as the screen would next.
    parse_now = job.explicit or (job.screened and context.mode == "check")
    tree = parse_ast(text) if parse_now else None
    if tree is not None and job.explicit and job.path is not None:
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

    if is_notebook(job.path or job.display):
        raise SourceError("--add-noqa does not edit notebooks yet; add the # noqa in the cell")
    data = _read(job)
    decoded = decode(data)
    text = decoded.text
    tree = parse_ast(text) if job.explicit else None  # as when checking (see _work)
    settings = _project_settings(context, job)  # the findings a check reports
    rows = _rows(check(text, settings, tree=tree), text)
    new, added = add_noqa(text, [(row[0], row[2]) for row in rows if context.is_selected(row[2])])
    output = decoded.encode(new)
    outcome = Outcome(rows, parsed=True, output=output, noqa_added=added)
    if new != text:
        try:
            new_tree = parse_ast(new)
        except SourceError as error:
            raise SourceError(f"the noqa comments do not parse ({error}); left unchanged") from None
        outcome.rows = _rows(check(new, settings, tree=new_tree), new)
        _write_back(job, output, data)
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


def screened_out(context: Context, job: Job) -> tuple[Outcome | None, Job]:
    """The text screen: most discovered files stop at it, before `ast` or the judge.

    Returns the outcome of a file it rules out (nothing found; the files its star
    imports read are what that depends on), or None and the job to work on,
    marked `screened` when the screen let it through. Named files are always
    parsed (their syntax errors are reported), notebooks are JSON until
    notebook.py unpacks them, and a file that cannot be read or decoded is left
    to `run_job`, which reports why.
    """
    if job.explicit or job.data is None:
        return None, job
    if is_notebook(job.path or job.display):
        return None, job
    from .source import decode
    from .text_screen import text_screen

    settings = _project_settings(job.context or context, job)
    try:
        possible = text_screen(decode(job.data).text, settings.star_resolver()).possible
    except (SourceError, RecursionError, MemoryError, ValueError):
        return None, job
    if possible:
        return None, replace(job, screened=True)
    return Outcome(depends=_depends(settings)), job


def screen_and_run(context: Context, job: Job) -> Outcome:
    """`run_job` behind the text screen: what a pool worker does with a discovered file.

    The worker reads the file itself (the main process sent its path, not its
    bytes), so the screen and the work share one read.
    """
    if job.data is None and job.path is not None:
        try:
            job = replace(job, data=_read(job))
        except (OSError, SourceError):
            return run_job(context, job)  # reports why it cannot be read
    outcome, job = screened_out(context, job)
    return outcome if outcome is not None else run_job(context, job)
