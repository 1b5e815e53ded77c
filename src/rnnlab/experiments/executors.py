"""Where the runs of a sweep execute: a local process pool, or a Dask cluster.

Both are `concurrent.futures` executors, so the sweep loop is the same for either. A run is a
pure function of its configuration (its seed included), which is why the rows do not depend on
the executor. ``distributed`` is imported only when a scheduler address is given.

A local pool's workers die with the sweep: each asks Linux for SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)``), elsewhere a thread polls ``os.getppid()``; and a sweep stopped
by an exception (Ctrl-C, SIGTERM) kills its workers instead of waiting for their runs, whose
results it could no longer store. With no worker left, multiprocessing's resource tracker sees
its pipe close and exits too.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

# One thread per worker process in every pool a run may start (BLAS, OpenMP, numba): the
# machine's cores are the workers, and threads inside a worker would only fight them.
_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_SECONDS = 0.5
DASK_HINT = "the --scheduler option needs Dask: pip install 'rnnlab[dask]'"


@dataclass
class Pool:
    """An open executor, the number of runs it executes at once and a name for messages."""

    executor: Executor
    slots: int
    description: str


def default_workers() -> int:
    """The CPU count this process may use (the affinity mask, where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: end this worker when the process that started it (``parent``) dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the prctl took effect
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    """SIGKILL a local pool's worker processes (their runs in flight are dropped)."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()


@contextmanager
def _single_thread_env() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: "1" for k in _THREAD_VARS})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def open_pool(scheduler: str | None = None, workers: int | None = None) -> Iterator[Pool]:
    """Open the executor a sweep runs on, and shut it down afterwards.

    Without ``scheduler``: a process pool of ``workers`` processes (default: the CPU count).
    Processes are spawned, not forked, so they start clean, with the single-thread environment
    above, and end with this process (see the module docstring). With ``scheduler``
    (``tcp://HOST:PORT``): a client of that Dask scheduler; the cluster's workers must have
    rnnlab installed.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"--workers: expected a positive integer, got {workers}")
    if scheduler is None:
        n = workers or default_workers()
        with _single_thread_env():
            context = multiprocessing.get_context("spawn")
            executor = ProcessPoolExecutor(
                max_workers=n,
                mp_context=context,
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
            try:
                yield Pool(executor, n, f"local process pool, {n} worker(s)")
            except BaseException:
                _kill_workers(executor)
                raise
            finally:
                # cancel_futures: on Ctrl-C the queued runs are dropped, not started.
                executor.shutdown(wait=True, cancel_futures=True)
        return
    try:
        from distributed import Client
    except ImportError:
        raise ValueError(DASK_HINT) from None
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise ValueError(
            f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc})"
        ) from None
    try:
        threads = sum(client.nthreads().values())
        slots = workers or max(1, threads)
        yield Pool(
            client.get_executor(pure=False),
            slots,
            f"Dask cluster at {scheduler}, {len(client.nthreads())} worker(s), {threads} thread(s)",
        )
    finally:
        client.close()
