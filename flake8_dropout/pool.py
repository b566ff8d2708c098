"""Running the jobs: in this process, or in worker processes when the work pays for them.

A discovered file goes through the text screen first (work.py); most stop there.
A few files (what pre-commit and editors pass) are screened and checked here: a
pool and libcst's import in each worker would cost more than they save. Many
files are screened in the workers too, so that no core waits while this
process screens them one by one; each worker reads its own files, largest first.
The outcomes are the same, in the same order, however the jobs ran.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace

from .work import Context, Job, Outcome, may_hold_finding, run_job, screen_and_run

#: Bytes of source left after the text screen below which workers cost more than they
#: save: starting a pool and importing libcst in each worker takes about as long as
#: checking this much source here (see benchmarks/run.py, part 5: the few files that
#: pre-commit and editors pass never wait for workers).
POOL_MIN_BYTES = 1 << 20

#: Bytes of source left after the byte screen from which the text screen itself runs in
#: the workers: screening 1 MB takes about 25 ms, a worker's start about 10 ms.
SCREEN_POOL_MIN_BYTES = 4 << 20


class Terminated(BaseException):
    """SIGTERM reached the main process: stop the workers, then exit 143."""


def terminated(signum, frame) -> None:
    """The main process's SIGTERM handler."""
    raise Terminated


def run_jobs(context: Context, jobs: list[Job], jobs_option: int) -> list[Outcome]:
    """Every job's outcome, in the order of `jobs`, with at most `jobs_option` processes."""
    if jobs_option > 1 and len(jobs) > 1 and _size(jobs) >= SCREEN_POOL_MIN_BYTES:
        outcomes = _in_pool(context, jobs, min(jobs_option, len(jobs)), screen_and_run)
        if outcomes is not None:
            return outcomes
    outcomes = [Outcome() for _ in jobs]  # a screened-out file: nothing found, not parsed
    left = [index for index, job in enumerate(jobs) if may_hold_finding(job)]
    left_jobs = [jobs[index] for index in left]
    done = None
    workers = min(jobs_option, len(left_jobs))
    if workers > 1 and _size(left_jobs) >= POOL_MIN_BYTES:
        done = _in_pool(context, left_jobs, workers, run_job)
    if done is None:
        done = [run_job(context, job) for job in left_jobs]
    for index, outcome in zip(left, done):
        outcomes[index] = outcome
    return outcomes


def _size(jobs: list[Job]) -> int:
    return sum(job.size for job in jobs)


def _in_pool(
    context: Context, jobs: list[Job], workers: int, work: Callable[[Context, Job], Outcome]
) -> list[Outcome] | None:
    """`work` on every job in a pool of `workers` processes; None if no pool runs here.

    The pool gets paths, not bytes (a worker reads its file), the largest files
    first and in small chunks, so that no worker is left with a long file at
    the end while the others idle.
    """
    pool = _start_pool(workers)
    if pool is None:
        return None
    stopped = False
    try:
        from itertools import repeat

        order = sorted(range(len(jobs)), key=lambda i: -jobs[i].size)
        shipped = [replace(jobs[i], data=None) if jobs[i].rereadable else jobs[i] for i in order]
        chunk = max(1, min(4, len(jobs) // 64))
        done = list(pool.map(work, repeat(context), shipped, chunksize=chunk))
        outcomes: list[Outcome] = [Outcome()] * len(jobs)
        for position, outcome in zip(order, done):
            outcomes[position] = outcome
        return outcomes
    except (OSError, RuntimeError):  # the pool broke: the caller runs the jobs here
        return None
    except BaseException:
        stopped = True
        _stop_pool(pool, now=True)
        raise
    finally:
        if not stopped:
            _stop_pool(pool, now=False)


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
