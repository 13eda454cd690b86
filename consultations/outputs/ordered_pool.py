"""Work shared between this process and a few worker processes, its results handed back one
by one in the order it was given: the archive package's PDFs (one per merknad, ~60 ms of CPU
each, 10,000 in a kommuneplan) drawn on every core while this process also reads the store
and writes the zip in the package's own order.

This process takes a share of the jobs itself (drawn when its turn to be read comes) while
the others run ahead in the workers: two cores need one worker process, not two (whose
imports and caches would double the memory for no more speed). This process takes every
``workers + 1``-th job, one in three beside one worker: it also reads the store, builds
and validates the XML and writes the zip (~13 ms a merknad against ~52 ms a PDF, measured at
10,000), and half the PDFs left it ~50 % busier than its worker. (Sending a job to the
worker whenever it had room did not work: it always has room once this process waits for
it, and then draws everything alone.) The workers
are started fresh (``spawn``): forking a process that holds DuckDB's threads, or a Streamlit
server's, may copy a lock another thread held. What every job shares is sent to each worker
once, not with every job. Only a bounded number of jobs is in flight (``ahead`` per
process), so finished results wait in memory for a few documents, not for the package. The
pool is shut down when the results have been read, or when the reader stops early (a refused
message): no process outlives the call.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

# In a worker process only: the function and what its jobs share (``_setup``).
_WORK: tuple[Callable[[Any, Any], Any], Any] | None = None


def usable_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def ordered_map(
    fn: Callable[[Any, Any], Any], shared: Any, jobs: Iterable[Any], *, workers: int, ahead: int = 8
) -> Iterator[Iterator[Any]]:
    """``fn(shared, job)`` for every job, in the jobs' order, by ``workers`` processes: this
    one and ``workers - 1`` fresh ones (``fn`` must be a module-level function, ``shared``
    and the jobs picklable); all here when ``workers`` < 2. A worker's exception is raised
    where its result is read."""
    if workers < 2:
        yield (fn(shared, job) for job in jobs)
        return
    pool = ProcessPoolExecutor(
        workers - 1, mp_context=multiprocessing.get_context("spawn"), initializer=_setup, initargs=(fn, shared)
    )
    try:
        yield _in_order(pool, fn, shared, jobs, workers, ahead)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _setup(fn: Callable[[Any, Any], Any], shared: Any) -> None:
    global _WORK
    _WORK = (fn, shared)


def _run(job: Any) -> Any:
    assert _WORK is not None, "a job outside a worker set up by ordered_map"
    fn, shared = _WORK
    return fn(shared, job)


def _in_order(
    pool: ProcessPoolExecutor,
    fn: Callable[[Any, Any], Any],
    shared: Any,
    jobs: Iterable[Any],
    workers: int,
    ahead: int,
) -> Iterator[Any]:
    pending: deque[tuple[Future | None, Any]] = deque()  # (the worker's future, or None: here)

    def result(future: Future | None, job: Any) -> Any:
        return fn(shared, job) if future is None else future.result()

    for k, job in enumerate(jobs):
        pending.append((None, job) if k % (workers + 1) == workers else (pool.submit(_run, job), None))
        if len(pending) >= workers * ahead:
            yield result(*pending.popleft())
    while pending:
        yield result(*pending.popleft())
