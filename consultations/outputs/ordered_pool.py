"""Work shared with a few worker processes, its results handed back one by one in the order
it was given: the archive package's PDFs (one per merknad, ~60 ms of CPU each, 10,000 in a
kommuneplan) drawn on every core while the parent reads the store and writes the zip in the
package's own order.

The workers are started fresh (``spawn``): forking a process that holds DuckDB's threads, or
a Streamlit server's, may copy a lock another thread held. What every job shares is sent to
each worker once, not with every job. Only a bounded number of jobs is in flight
(``ahead`` per worker), so finished results wait in memory for a few documents, not for the
package. The pool is shut down when the results have been read, or when the reader stops
early (a refused message): no process outlives the call.
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
    """``fn(shared, job)`` for every job, in the jobs' order: in this process when
    ``workers`` < 2, else in ``workers`` fresh processes (``fn`` must be a module-level
    function, ``shared`` and the jobs picklable). A worker's exception is raised where its
    result is read."""
    if workers < 2:
        yield (fn(shared, job) for job in jobs)
        return
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_setup, initargs=(fn, shared)
    )
    try:
        yield _in_order(pool, jobs, workers * ahead)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _setup(fn: Callable[[Any, Any], Any], shared: Any) -> None:
    global _WORK
    _WORK = (fn, shared)


def _run(job: Any) -> Any:
    assert _WORK is not None, "a job outside a worker set up by ordered_map"
    fn, shared = _WORK
    return fn(shared, job)


def _in_order(pool: ProcessPoolExecutor, jobs: Iterable[Any], window: int) -> Iterator[Any]:
    pending: deque[Future] = deque()
    for job in jobs:
        pending.append(pool.submit(_run, job))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
