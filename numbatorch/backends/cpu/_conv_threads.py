"""Run a convolution's tiles on a few Python threads, each calling single-threaded BLAS.

Why not numba ``prange`` for im2col plus threaded BLAS for the GEMM: the two thread pools
then alternate, each spinning while the other works; on a busy 2-core machine that
measured 5-10x slower than PyTorch.  Here each worker thread takes the next tile from a
shared counter, runs a ``nogil`` im2col kernel and a GEMM with BLAS limited to one
thread, so only as many threads as cores ever run, and dynamic scheduling absorbs a core
stolen by another process.

BLAS is limited through ``threadpoolctl`` when it is installed; without it tiles run in
the caller's thread and BLAS keeps its own threads (measured up to 10x slower under load).
"""
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba

_lock = threading.Lock()
_pool = None
_pool_pid = None          # a forked child must not reuse the parent's (absent) threads
_pool_size = 0
_blas = None              # threadpoolctl selection of the BLAS libraries; False when unavailable
_blas_users = 0           # nested/concurrent callers share one limit (restored by the last)
_blas_limiter = None


def _blas_libraries():
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
            found = ThreadpoolController().select(user_api="blas")
            _blas = found if found.lib_controllers else False
        except Exception:  # not installed, or an unknown BLAS: run serially instead
            _blas = False
    return _blas


def worker_count():
    """Threads a parallel convolution may use: numba's thread count, 1 without threadpoolctl."""
    n = numba.get_num_threads()
    if n > 1 and not _blas_libraries():
        return 1
    return n


def _submit(work, count):
    """Submit ``count`` calls of ``work`` to the shared pool, grown to at least ``count`` threads.

    Several threads may run convolutions at once: a caller that grows the pool shuts the old one down,
    so getting the pool and submitting to it happen under one lock (futures already submitted to an old
    pool still run)."""
    global _pool, _pool_pid, _pool_size
    pid = os.getpid()
    with _lock:
        if _pool_pid != pid or _pool_size < count:
            if _pool is not None and _pool_pid == pid:
                _pool.shutdown(wait=False)
            # after fork the inherited pool has no threads: it is just dropped
            _pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="numbatorch-conv")
            _pool_pid, _pool_size = pid, count
        return [_pool.submit(work) for _ in range(count)]


def _limit_blas():
    global _blas_users, _blas_limiter
    with _lock:
        if _blas_users == 0 and _blas_libraries():
            _blas_limiter = _blas_libraries().limit(limits=1)
        _blas_users += 1


def _restore_blas():
    global _blas_users, _blas_limiter
    with _lock:
        _blas_users -= 1
        if _blas_users == 0 and _blas_limiter is not None:
            _blas_limiter.restore_original_limits()
            _blas_limiter = None


def run_tasks(run_task, n_tasks, make_state, n_workers, single_threaded_blas=True):
    """Call ``run_task(state, i)`` for every i in range(n_tasks) on up to n_workers threads
    (the caller is one of them); each thread owns one ``make_state()``.  Returns the states
    of the threads that ran (at least one).  Tasks must write disjoint memory.

    BLAS is limited to one thread meanwhile (when threadpoolctl can), also for a single
    worker: BLAS threads spinning between GEMMs while the caller runs im2col measured up
    to 10x slower on a busy machine.  Pass single_threaded_blas=False for tiny problems,
    where the limit's ~20 us would dominate."""
    n_workers = max(1, min(n_workers, n_tasks))
    if single_threaded_blas:
        _limit_blas()
    try:
        if n_workers == 1:
            state = make_state()
            for i in range(n_tasks):
                run_task(state, i)
            return [state]
        return _run_threaded(run_task, n_tasks, make_state, n_workers)
    finally:
        if single_threaded_blas:
            _restore_blas()


def _run_threaded(run_task, n_tasks, make_state, n_workers):
    counter = itertools.count()   # next() on it is atomic under the GIL

    def work():
        state = None
        for i in iter(counter.__next__, None):
            if i >= n_tasks:
                break
            if state is None:
                state = make_state()
            run_task(state, i)
        return state

    futures = _submit(work, n_workers - 1)
    states = []
    try:
        states.append(work())
    finally:
        # wait for every helper before the caller's buffers go away, then re-raise
        states += [f.result() for f in futures]
    return [s for s in states if s is not None]
