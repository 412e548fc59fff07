"""Run a convolution's tiles on a few Python threads, each calling single-threaded BLAS.

Why not numba ``prange`` for im2col plus threaded BLAS for the GEMM: the two thread pools
then alternate, each spinning while the other works; on a busy 2-core machine that
measured 5-10x slower than PyTorch.  Here each worker thread takes the next tile from a
shared counter, runs a ``nogil`` im2col kernel and a GEMM with BLAS limited to one
thread, so only as many threads as cores ever run, and dynamic scheduling absorbs a core
stolen by another process.

BLAS is held at one thread by ``blas.single_threaded()`` when its thread count can be set
(through ``threadpoolctl``); otherwise tiles run in the caller's thread and BLAS keeps its own threads
(measured up to 10x slower under load).
"""
import contextlib
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba

from . import blas
from ._spin_pool import nap

_lock = threading.Lock()
_pool = None
_pool_pid = None          # a forked child must not reuse the parent's (absent) threads
_pool_size = 0


def worker_count():
    """Threads a parallel convolution may use: numba's thread count, 1 where BLAS's cannot be set."""
    n = numba.get_num_threads()
    if n > 1 and not blas.controllable():
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


def run_tasks(run_task, n_tasks, make_state, n_workers, single_threaded_blas=True):
    """Call ``run_task(state, i)`` for every i in range(n_tasks) on up to n_workers threads
    (the caller is one of them); each thread owns one ``make_state()``.  Returns the states
    of the threads that ran (at least one).  Tasks must write disjoint memory.

    BLAS is held at one thread meanwhile (when it can be), also for a single
    worker: BLAS threads spinning between GEMMs while the caller runs im2col measured up
    to 10x slower on a busy machine.  Pass single_threaded_blas=False for tiny problems,
    where the hold's few microseconds would dominate."""
    n_workers = max(1, min(n_workers, n_tasks))
    with blas.single_threaded() if single_threaded_blas else contextlib.nullcontext():
        if n_workers == 1:
            state = make_state()
            for i in range(n_tasks):
                run_task(state, i)
            return [state]
        nap()  # a spinning helper would share a core with the workers
        return _run_threaded(run_task, n_tasks, make_state, n_workers)


class OrderedSum:
    """Sum of ``count`` per-task arrays in a fixed pairwise tree over the task indices, whichever thread
    finishes a task first: the same bits on every run and for every thread count.

    A thread summing the tasks it happened to take made the float result depend on scheduling (3-13 distinct
    conv weight gradients in 20 identical calls).  Adding the tasks in index order, under one lock, made a
    worker that finished early wait for the other's adds; in the tree, the thread that finishes the second
    of two sibling nodes adds them outside the lock, so adds of different subtrees run at once (and the
    float error grows with log2(count), not count).  Nodes whose sibling is not done yet wait in
    ``pending``."""

    def __init__(self, count):
        self._lock = threading.Lock()
        self._pending = {}
        self._count = count
        self.total = None

    def add(self, i, part):
        """Contribute task ``i``'s array (it may be taken over, and added to in place)."""
        level, k = 0, i     # the node covering tasks [k << level, (k + 1) << level)
        while (1 << level) < self._count:
            if k % 2 == 0 and (k + 1) << level >= self._count:
                level, k = level + 1, k // 2     # no right sibling: the node moves up unchanged
                continue
            with self._lock:
                sibling = self._pending.pop((level, k ^ 1), None)
                if sibling is None:
                    self._pending[(level, k)] = part
                    return
            left, right = (sibling, part) if k % 2 else (part, sibling)
            left += right
            part, level, k = left, level + 1, k // 2
        self.total = part


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
