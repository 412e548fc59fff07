"""Helper threads that spin between ops, so that splitting an elementwise op or a matrix product over the cores
costs ~1 us instead of a wake-up.

PyTorch's OpenMP workers spin for a while after each op; Numba's TBB workers go to sleep within ~10 us, and waking
one costs ~20 us on this machine (a virtual CPU woken by an interrupt). So a hand-written optimizer step of
20-150 us ops lost 20-30% to PyTorch, and ops under 2 MiB did not split at all. Here each helper (one per Numba
thread beyond the first) runs a loop in Numba without the GIL: it spins on its row of the shared block for a job,
runs its part, marks it done, and after ``SPIN_SECONDS`` without a job sleeps on a POSIX semaphore. The caller
hands out the parts with a compare-exchange, runs the first part itself, takes back any part no helper has started
(a helper whose core is held by another thread, or still waking up) and runs it too, then spins until the helpers'
parts are done; a second thread calling meanwhile runs its op alone.

A job is a C function (``_spin_jobs``: a Numba ``cfunc``) called by address on a range of indices, with its array
addresses and scalars in the block: the parts never depend on which thread ran them, so the results are those of
one loop over the whole range.

The helpers never take a core from anyone else: the pool runs only while a core is spare (``_spare_core``), and
``nap()`` sends spinning helpers to sleep before anything else starts threads of its own (Numba's TBB kernels,
threaded BLAS, the ufunc halves, the convolution threads), which would otherwise share a core with a spinner.
Linux only (unnamed POSIX semaphores); elsewhere ``available()`` is False and the callers keep their paths.
"""
import ctypes
import os
import sys
import threading
import time

import numba
import numpy as np
from numba import njit
from numba.np.ufunc import parallel as numba_parallel

from . import _spin_jobs
from ._atomics import (call_int, call_job, call_with_pointer, compare_exchange, cpu_relax, data_pointer,
                       element_pointer, load_acquire, store_release)
from ._spare_core import spare_core

# Seconds a helper spins for its next job before it sleeps: longer than the gaps between the ops of a step
# (Python's own work between them), short enough that an idle process stops using the core at once.
SPIN_SECONDS = 0.5e-3
# Bytes moved (arrays read and written) from which an op splits over spinning helpers: measured on 2 cores,
# float32 x += y on 256 KiB arrays (768 KiB moved) took 4.6 us so, 6.4 with numpy, 6.6 with PyTorch.
MIN_BYTES = 256 << 10
# Bytes moved from which a sleeping helper is woken and handed a part, as Numba's threads split ops
# (``_arithmetic_kernels.MIN_ARITHMETIC_BYTES``): below, waking it costs more than its part saves.
WAKE_BYTES = 2 << 20
# Elements per part boundary: parts start on a 64-byte line of float32 data, so no two threads write one line.
_ALIGN = 16
# The pool's shared state is one int64 array: a row of ``_ROW`` slots per thread (128 bytes apart, so each
# helper's row has cache lines of its own; row 0 is the callers'), then the job's ``INTS`` ints and a row of
# floats (float64 bits), then a semaphore per helper. One array: each argument of a Numba call costs ~0.2 us to type.
_ROW = 16
INTS = 2 * _ROW
# A helper row's slots: its state, and the job's address and index range.
STATE, FUNCTION, START, STOP = 0, 1, 2, 3
# Row states. IDLE: spinning for a job; JOB: a job is handed out; ASLEEP: waiting on the semaphore; QUIT: exit;
# RUNNING: the helper took the job (until then the caller may take its part back and run it itself).
IDLE, JOB, ASLEEP, QUIT, RUNNING = 0, 1, 2, 3, 4
# Row 0's slots: 1 while a caller hands out parts (a second caller runs alone), the helper count, the addresses
# of sem_post, sem_wait and of the C function behind numba.get_num_threads() (called by address: a kernel calling
# numba.get_num_threads() itself cannot be cached).
OWNER, HELPERS, SEM_POST, SEM_WAIT, THREADS = 0, 1, 2, 3, 4
# Slots per semaphore (a sem_t is 32 bytes on Linux x86-64 and aarch64).
_SEM_SLOTS = 8


@njit(inline="always")
def _ints(block):
    return data_pointer(block[(block[HELPERS] + 1) * _ROW:])


@njit(inline="always")
def _floats(block):
    return element_pointer(block.ctypes.data, (block[HELPERS] + 1) * _ROW + INTS, np.float64)


@njit(inline="always")
def _semaphore(block, h):
    return data_pointer(block[(block[HELPERS] + 2) * _ROW + INTS + (h - 1) * _SEM_SLOTS:])


@njit(inline="always")
def _row(block, h):
    return block[h * _ROW:(h + 1) * _ROW]


@njit(nogil=True, cache=True)
def _serve(block, h, spins):
    """Helper ``h``'s loop: run the jobs handed to its row; after ``spins`` idle turns sleep until woken."""
    row = _row(block, h)
    idle = 0
    while True:
        state = load_acquire(row, STATE)
        if state == JOB:
            if compare_exchange(row, STATE, JOB, RUNNING):  # else the caller took the part back
                call_job(row[FUNCTION], row[START], row[STOP], _ints(block), _floats(block))
                store_release(row, STATE, IDLE)
            idle = 0
        elif state == ASLEEP:
            call_with_pointer(block[SEM_WAIT], _semaphore(block, h))  # returns early on a signal: state read again
            idle = 0
        elif state == QUIT:
            return
        else:
            idle += 1
            if idle >= spins:
                compare_exchange(row, STATE, IDLE, ASLEEP)
            cpu_relax()


@njit(nogil=True, cache=True)
def _spin_turns(turns, block):
    """``turns`` idle turns of ``_serve``'s loop (timed to convert ``SPIN_SECONDS`` into turns)."""
    count = 0
    for _ in range(turns):
        if load_acquire(block, STATE) == JOB:
            count += 1
        cpu_relax()
    return count


@njit(nogil=True, cache=True)
def _split(block, job, n, wake, align):
    """Runs ``job`` on ``0:n`` (its arguments in the block, which this thread owns): a part per helper and the
    first on this thread, each a multiple of ``align`` long. A sleeping helper is handed its part and woken where
    ``wake``, else this thread runs its part. A part its helper has not taken by the time this thread's own is done
    is taken back and run here: a helper whose core another thread holds (a busy neighbour, or PyTorch's OpenMP
    workers spinning after their ops) or that is still waking up never holds the op up. Releases the block."""
    helpers = min(block[HELPERS], call_int(block[THREADS]) - 1)  # numba.get_num_threads(): the caller's own
    step = (n // (helpers + 1) + align - 1) // align * align
    handed = 0  # bit h - 1: helper h took its part
    for h in range(1, helpers + 1):
        row = _row(block, h)
        start = min(h * step, n)
        row[FUNCTION] = job
        row[START] = start
        row[STOP] = min(start + step, n) if h < helpers else n
        if start >= n:
            continue
        if compare_exchange(row, STATE, IDLE, JOB):
            handed |= 1 << (h - 1)
        elif wake and compare_exchange(row, STATE, ASLEEP, JOB):
            handed |= 1 << (h - 1)
            call_with_pointer(block[SEM_POST], _semaphore(block, h))
    call_job(job, 0, min(step, n) if helpers > 0 else n, _ints(block), _floats(block))
    for h in range(1, helpers + 1):
        row = _row(block, h)
        if not handed & (1 << (h - 1)) and row[START] < n:
            call_job(job, row[START], row[STOP], _ints(block), _floats(block))
    for h in range(1, helpers + 1):
        if handed & (1 << (h - 1)):
            row = _row(block, h)
            if compare_exchange(row, STATE, JOB, IDLE):  # not taken yet: run here (a woken helper then spins)
                call_job(job, row[START], row[STOP], _ints(block), _floats(block))
            else:
                while load_acquire(row, STATE) == RUNNING:
                    cpu_relax()
    store_release(block, OWNER, 0)


@njit(inline="always")
def _put_arguments(ints, floats, out, first, second, scalar):
    ints[0] = out.itemsize
    ints[1] = out.ctypes.data
    ints[2] = 0 if first is None else first.ctypes.data
    ints[3] = 0 if second is None else second.ctypes.data
    floats[0] = scalar


@njit(nogil=True, cache=True)
def _run(block, job, out, first, second, scalar, wake):
    """Runs the job on ``out.size`` indices with its arguments (``first``/``second``: arrays, or None for the
    ``scalar``): over the helpers (``_split``) when this thread gets the block, else alone (another thread is
    handing out parts), with arguments of its own."""
    if compare_exchange(block, OWNER, 0, 1):
        helpers = block[HELPERS]
        _put_arguments(block[(helpers + 1) * _ROW:], block[(helpers + 1) * _ROW + INTS:].view(np.float64), out,
                       first, second, scalar)
        _split(block, job, out.size, wake, _ALIGN)
    else:
        ints, floats = np.empty(4, np.int64), np.empty(1, np.float64)
        _put_arguments(ints, floats, out, first, second, scalar)
        call_job(job, 0, out.size, data_pointer(ints), data_pointer(floats))


@njit(nogil=True, cache=True)
def _run_ints(block, job, values, n):
    """Runs the job on ``0:n`` one index at a time (``align`` 1) with ``values`` as its ints, waking sleeping
    helpers: over the helpers when this thread gets the block, else alone."""
    if compare_exchange(block, OWNER, 0, 1):
        block[(block[HELPERS] + 1) * _ROW:(block[HELPERS] + 1) * _ROW + values.size] = values
        _split(block, job, n, True, 1)
    else:
        floats = np.empty(1, np.float64)
        call_job(job, 0, n, data_pointer(values), data_pointer(floats))


@njit(nogil=True, cache=True)
def _nap(block):
    """Sends the spinning helpers to sleep."""
    for h in range(1, block[HELPERS] + 1):
        compare_exchange(_row(block, h), STATE, IDLE, ASLEEP)


class _Pool:
    """The helpers of one process and their shared block."""

    def __init__(self, helpers, libc):
        self.helpers = helpers
        self.block = np.zeros((helpers + 2) * _ROW + INTS + helpers * _SEM_SLOTS, np.int64)
        self.block[HELPERS] = helpers
        self.block[SEM_POST] = ctypes.cast(libc.sem_post, ctypes.c_void_p).value
        self.block[SEM_WAIT] = ctypes.cast(libc.sem_wait, ctypes.c_void_p).value
        numba_parallel._launch_threads()  # starts Numba's threading layer, which sets the function below
        self.block[THREADS] = ctypes.cast(numba_parallel._get_num_threads, ctypes.c_void_p).value
        for h in range(1, helpers + 1):
            if libc.sem_init(ctypes.c_void_p(self._semaphore_address(h)), 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "sem_init failed")
        spins = _spin_budget(self.block)
        for h in range(1, helpers + 1):  # compiled (or loaded) here, not in a helper while callers wait for it
            self.block[h * _ROW + STATE] = QUIT
            _serve(self.block, h, spins)
            self.block[h * _ROW + STATE] = ASLEEP  # until an op large enough to wake it
        self.threads = [threading.Thread(target=_serve, name=f"numbatorch-spin-{h}", daemon=True,
                                         args=(self.block, h, spins)) for h in range(1, helpers + 1)]
        for thread in self.threads:
            thread.start()

    def _semaphore_address(self, h):
        return self.block.ctypes.data + 8 * ((self.helpers + 2) * _ROW + INTS + (h - 1) * _SEM_SLOTS)


def _spin_budget(block):
    """Idle turns lasting about ``SPIN_SECONDS`` on this CPU."""
    _spin_turns(1000, block)
    start = time.perf_counter()
    _spin_turns(20000, block)
    seconds_per_turn = max((time.perf_counter() - start) / 20000, 1e-9)
    return max(1000, int(SPIN_SECONDS / seconds_per_turn))


_pool = None
_pool_lock = threading.Lock()
_awake = False  # whether a helper may be spinning: nap() has work to do
_libc = None


def _load_libc():
    """libc with ``sem_init``/``sem_wait``/``sem_post``, or None where unnamed semaphores are missing."""
    global _libc
    if _libc is None:
        if not sys.platform.startswith("linux"):
            _libc = False
        else:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                libc.sem_init.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_uint)
                libc.sem_post.argtypes = (ctypes.c_void_p,)
                _libc = libc if all(hasattr(libc, f) for f in ("sem_wait", "sem_post")) else False
            except OSError:
                _libc = False
    return _libc or None


def available():
    """Whether this platform can run the pool (Linux)."""
    return _load_libc() is not None


def pool():
    """The pool, started at the first call: a helper per Numba thread beyond the first (``NUMBA_NUM_THREADS``;
    each op uses as many as the caller's ``numba.get_num_threads()`` asks)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = _Pool(max(numba.config.NUMBA_NUM_THREADS - 1, 1), _load_libc())
        return _pool


def spinning():
    """Whether the helpers are spinning for jobs (the first one's state: they are woken and sent to sleep
    together)."""
    current = _pool
    return current is not None and current.block[_ROW + STATE] == IDLE


def ready(job, moved):
    """The pool to run ``job`` (a ``_spin_jobs.Job``) for an op moving ``moved`` bytes (arrays read and written),
    or None: from ``MIN_BYTES`` while the helpers spin, from ``WAKE_BYTES`` while they sleep, while a core is spare,
    once the job is compiled. On one Numba thread the job runs on the caller alone: the thread count is read in
    the kernel (~0.1 us), as ``numba.get_num_threads()`` costs 0.7 us here, and 3 us more beside a spinning helper."""
    if moved < MIN_BYTES or not spare_core() or not available() or not job.ready(moved):
        return None
    current = _pool or pool()
    if moved < WAKE_BYTES and not spinning():
        return None  # the helpers sleep and the op is too small to wake them: the caller's own path is faster
    return current


def run(current, job, out, first=None, second=None, scalar=0.0, moved=0):
    """Runs ``job`` over the flat C-contiguous ``out`` with operand arrays ``first``/``second`` (None: the
    ``scalar``) on the caller and ``current``'s helpers (from ``ready``): a sleeping helper is woken and handed a
    part from ``WAKE_BYTES`` moved (the wake-up then pays); below that the caller runs its part. Returns ``out``."""
    global _awake
    _awake = True
    _run(current.block, job.address, out, first, second, scalar, moved >= WAKE_BYTES)
    return out


def run_indices(current, job, values, n):
    """Runs ``job`` on the indices ``0:n`` (a few large tasks, such as blocks of a matrix product), spread over the
    caller and ``current``'s helpers, woken where they sleep; ``values``: its ints (int64, at most ``INTS``)."""
    global _awake
    _awake = True
    _run_ints(current.block, job.address, values, n)


def nap():
    """Sends spinning helpers to sleep: called before other threads of this process start work."""
    global _awake
    if _awake:
        _awake = False
        current = _pool
        if current is not None:
            _nap(current.block)


def warm():
    """Compiles (or loads) every job and the pool's kernels for float32 and float64, for ``python -m numbatorch
    warmup``; False where the pool cannot run here."""
    if not available():
        return False
    from . import _arithmetic_kernels, _inplace_kernels, _split_gemm, pointwise  # noqa: F401 (jobs in ALL)
    for job in _spin_jobs.ALL:
        job.ready(_spin_jobs.COMPILE_AFTER_BYTES)
    current = pool()
    add = _arithmetic_kernels._JOBS[np.add]
    for dtype in (np.float32, np.float64):
        x = np.ones(64, dtype)
        for first, second in ((x, x), (x, None), (None, x)):  # the operand patterns the callers pass
            _run(current.block, add.address, x, first, second, 1.0, False)
    _run_ints(current.block, add.address, np.zeros(INTS, np.int64), 0)
    _split_gemm.warm()
    return True


def _reset():
    """After a fork: the child has none of the parent's helper threads."""
    global _pool, _pool_lock, _awake
    _pool, _pool_lock, _awake = None, threading.Lock(), False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset)
