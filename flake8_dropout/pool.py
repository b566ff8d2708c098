"""Running the jobs: in this process, or in worker processes when the work pays for them.

A discovered file goes through the text screen first (work.py); most stop there.
A few files (what pre-commit and editors pass) are screened and checked here: a
pool would cost more than it saves. Many files are screened in the workers too,
so that no core waits while this process screens them one by one; each worker
reads its own files, largest first.
The outcomes are the same, in the same order, however the jobs ran.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .work import Context, Job, Outcome, run_job, screen_and_run, screened_out

if TYPE_CHECKING:
    from concurrent.futures import Future

#: Bytes of source left after the text screen below which workers cost more than they
#: save: starting a pool (and, to fix, importing libcst in each worker) takes about as
#: long as checking this much source here (see benchmarks/run.py, part 5: the few files
#: that pre-commit and editors pass never wait for workers).
POOL_MIN_BYTES = 1 << 20

#: Bytes of source left after the byte screen from which the text screen itself runs in
#: the workers: screening 1 MB takes about 25 ms, a worker's start about 10 ms.
SCREEN_POOL_MIN_BYTES = 4 << 20


class Terminated(BaseException):
    """SIGTERM reached the main process: stop the workers, then exit 143."""


def terminated(signum, frame) -> None:
    """The main process's SIGTERM handler."""
    raise Terminated


@contextmanager
def job_runner(context: Context, processes: int) -> Iterator[JobRunner]:
    """A JobRunner for `processes` processes whose workers end with the block."""
    runner = JobRunner(context, processes)
    try:
        yield runner
    except BaseException:
        runner.stop(now=True)
        raise
    runner.stop(now=False)


#: Jobs sent to a worker at once: each send costs the main process about 0.5 ms (over
#: transformers, batches of 1 took 0.45 s longer than batches of 4, and 16 beat 8 in three
#: interleaved runs of 15: 0.2 s less CPU at best), and a batch's files are screened in
#: about 0.1 s, so no worker is left with a long tail.
BATCH = 16


class JobRunner:
    """Runs the jobs as they are read, so that workers screen while this process reads.

    `add` each job, then `outcomes()`: every job's outcome, in the order added.
    Made by `job_runner`, which stops the workers at once on an error or a signal.
    """

    def __init__(self, context: Context, processes: int) -> None:
        self.context = context
        self.processes = processes
        self.jobs: list[Job] = []
        self._size = 0  # bytes added
        self._pool = None
        self._unsent: list[int] = []  # jobs read, not yet sent to a worker
        self._sent: list[tuple[list[int], Any]] = []  # (job indexes, future of their outcomes)
        self._no_pool = processes < 2

    def stop(self, now: bool) -> None:
        """End the workers (`now`: at once, on an error or a signal; else when idle)."""
        if self._pool is not None:
            _stop_pool(self._pool, now=now)
            self._pool = None

    def add(self, job: Job) -> None:
        """A job to run; a worker may start on it while the next files are read."""
        self.jobs.append(job)
        self._size += job.size
        if self._no_pool:
            return
        self._unsent.append(len(self.jobs) - 1)
        if self._pool is None:
            if self._size < SCREEN_POOL_MIN_BYTES:
                return
            self._pool = _start_pool(self.processes)
            if self._pool is None:
                self._no_pool = True
                return
        if len(self._unsent) >= BATCH:
            self._send()

    def _send(self) -> None:
        """The unsent jobs to the workers, largest first: paths, not bytes (a worker reads
        a regular file itself; a pipe's bytes travel with its job)."""
        assert self._pool is not None  # add() starts it before anything is unsent
        order = sorted(self._unsent, key=lambda i: -self.jobs[i].size)
        self._unsent = []
        for index in order:  # the bytes are not kept here either (a pool broken: reread)
            if self.jobs[index].rereadable:
                self.jobs[index] = replace(self.jobs[index], data=None)
        for start in range(0, len(order), BATCH):
            part = order[start : start + BATCH]
            shipped = [self.jobs[i] for i in part]
            self._sent.append((part, self._pool.submit(_screen_and_run_all, self.context, shipped)))

    def outcomes(self) -> list[Outcome]:
        """Every job's outcome, in the order the jobs were added."""
        if self._pool is not None:
            try:
                self._send()
                outcomes = [Outcome()] * len(self.jobs)
                for part, future in self._sent:
                    for index, outcome in zip(part, _result(future)):
                        outcomes[index] = outcome
                return outcomes
            except (OSError, RuntimeError):  # the pool broke (BrokenProcessPool): run here
                pass
        return _run_here(self.context, self.jobs, self.processes)


def _result(future: Future[list[Outcome]]) -> list[Outcome]:
    """A worker's outcomes, waited for in short steps.

    A signal may be delivered to one of the pool's threads, and the main thread
    runs the Python handler only once it wakes: blocked in one long wait, a
    SIGTERM would be seen only when a worker finishes its batch.
    """
    while True:
        try:
            return future.result(timeout=0.2)
        except TimeoutError:
            continue


def _run_all(context: Context, jobs: list[Job]) -> list[Outcome]:
    """In a worker: a batch of jobs already screened."""
    return _in_worker(run_job, context, jobs)


def _screen_and_run_all(context: Context, jobs: list[Job]) -> list[Outcome]:
    """In a worker: a batch of jobs."""
    return _in_worker(screen_and_run, context, jobs)


def _run_here(context: Context, jobs: list[Job], processes: int) -> list[Outcome]:
    """Screen the jobs here; run what is left here, or in workers if it is much."""
    outcomes: list[Outcome] = []
    left: list[int] = []
    left_jobs: list[Job] = []
    for index, job in enumerate(jobs):
        screened, job = screened_out(context, job)  # nothing found, not parsed
        outcomes.append(screened if screened is not None else Outcome())
        if screened is None:
            left.append(index)
            left_jobs.append(job)
    done = None
    workers = min(processes, len(left_jobs))
    if workers > 1 and _size(left_jobs) >= POOL_MIN_BYTES:
        done = _in_pool(context, left_jobs, workers)
    if done is None:
        done = [run_job(context, job) for job in left_jobs]
    for index, outcome in zip(left, done):
        outcomes[index] = outcome
    return outcomes


def _size(jobs: list[Job]) -> int:
    return sum(job.size for job in jobs)


def _in_pool(context: Context, jobs: list[Job], workers: int) -> list[Outcome] | None:
    """`run_job` on every job in a pool of `workers` processes; None if no pool runs here.

    The pool gets paths, not bytes (a worker reads its file), the largest files
    first and in small chunks, so that no worker is left with a long file at
    the end while the others idle.
    """
    pool = _start_pool(workers)
    if pool is None:
        return None
    stopped = False
    try:
        order = sorted(range(len(jobs)), key=lambda i: -jobs[i].size)
        shipped = [replace(jobs[i], data=None) if jobs[i].rereadable else jobs[i] for i in order]
        chunk = max(1, min(BATCH, len(jobs) // 64))
        parts = [shipped[start : start + chunk] for start in range(0, len(shipped), chunk)]
        futures = [pool.submit(_run_all, context, part) for part in parts]
        done = [outcome for future in futures for outcome in _result(future)]
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


class _WorkerTerminated(BaseException):
    """SIGTERM reached a worker: unwind its job, then leave (see `_in_worker`)."""


def _worker_terminated(signum, frame) -> None:
    raise _WorkerTerminated


def _worker_signals() -> None:
    """In a worker: SIGTERM unwinds (removing a half-written temporary file), then exits."""
    import signal

    signal.signal(signal.SIGTERM, _worker_terminated)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C


def _in_worker(run, context: Context, jobs: list[Job]) -> list[Outcome]:
    """`run` on each job, in a worker. A SIGTERM ends the process once the job has
    unwound: the pool's worker loop would take any exception for the job's result
    and go on with the next job."""
    import os

    try:
        return [run(context, job) for job in jobs]
    except _WorkerTerminated:
        sys.stderr.flush()
        os._exit(143)


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

        # What checking a file needs, imported once here and inherited by forked workers
        # rather than imported again in each (about 30 ms a worker).
        from . import ast_judge, engine, project  # noqa: F401

        return ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals)
    except (OSError, ImportError, RuntimeError):  # no process pool here: run serially
        return None
