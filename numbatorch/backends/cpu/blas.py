"""How many threads BLAS may use for a matrix product, decided by the product's size.

A threaded OpenBLAS wakes its threads for every GEMM above a tiny size. For the products of recurrent
cells, small MLPs and per-step models (say 97 x 51 x 204) the wake-up and the threads' spinning cost far
more than the arithmetic: measured here on 2 busy cores, a float64 97 x 51 x 204 product took 44 us on one
thread and 73 us (mean: up to 6 ms) on two, and a cell-by-cell LSTM ran 20x slower than with
``OPENBLAS_NUM_THREADS=1``. So products under ``SMALL_GEMM`` multiply-adds run on one BLAS thread, larger ones
on the BLAS's own count. 2-D float products under it with enough rows (``_row_blocks``) run as
blocks of rows on Numba's threads, side by side while no other process is using a core
(``_spare_core.spare_core()``), each block on one BLAS thread (``_split_gemm``), and a product's two gradients
side by side (``matmul_pair``): OpenBLAS's own threads round differently from one thread, so with them a result
depended on the load. With one Numba thread every product runs on one BLAS thread.

Changing the count is a ~0.25 us ctypes call into each loaded BLAS (``threadpoolctl``'s ``limit()`` costs
~20 us, too much per product), and it is only made when the size class changes, so a loop of small
products pays one comparison per product. The count is process-wide, so it follows the last product:
after a small product numpy's own BLAS calls also run on one thread until numbatorch runs a large one.

``single_threaded()`` holds BLAS at one thread for a region whatever the products' sizes (the convolution
tile pool runs one BLAS call per worker thread); holds nest and may overlap across threads, and when the
last one ends the count returns to what the size class asks.

Two BLAS libraries are usually loaded: numpy's, and SciPy's, which Numba kernels call for ``np.dot``;
both are set alike. SciPy's is found when Numba has loaded it (``scipy.linalg.cython_blas``).

Which BLAS runs 2-D float products: Intel MKL's sequential gemm where the ``mkl`` wheel is installed
(``pip install numbatorch[mkl]``; ``_mkl``, loaded at the first product), numpy's otherwise;
``NUMBATORCH_BLAS=openblas`` or ``=mkl`` chooses. With MKL a 2-D float32/float64 product from ``MKL_GEMM``
multiply-adds is one MKL call per block of rows, and products from ``SMALL_GEMM`` on split into one block per Numba
thread too, instead of running on a BLAS's threads; numpy's and SciPy's thread counts are still set as above for
the products they run.
"""
import os
import sys
import threading

import numba
import numpy as np

from ..._runtime import are_deterministic_algorithms_enabled
from . import _split_gemm
from ._spare_core import spare_core
from ._spin_pool import nap

# Multiply-adds (m * k * n) of one 2-D product from which BLAS uses its threads (2^29: about 813^3).
# Measured here on 2 cores shared with other jobs (load average 7-9), ten steps of z = tanh(z @ a) / 2 + z
# on n x n float64 took, on 2 threads over 1: n=256 9x, 512 1.95x, 768 1.14x, 1024 0.71x: a thread that
# finds its core taken by another process waits whole scheduler ticks for it.
SMALL_GEMM = 1 << 29
# Below SMALL_GEMM, a 2-D float product splits into blocks of rows run on Numba's threads (side by side while no other
# process uses a core), each block on one BLAS thread (_split_gemm): from SPLIT_GEMM multiply-adds, with at least
# SPLIT_ROWS rows per Numba thread and THIN_SIDE on the other two sides. Float32 256^3 took ~130 us so against
# OpenBLAS's threads' 143-161. MultiheadAttention's 1600 x 64 x 192 projections (and an LSTM's 1600 x 64 x 128 input
# projection), in one process alternating with unsplit ones (13:19 UTC, load 2.7): mha_64_h8 0.975x, lstm_64_32
# 0.96x, transformer_encoder_2x64 0.99x, gru_64_32 1.01x. (On OpenBLAS's own threads such thin products had lost,
# mha_64_h8 19.8 vs 16.6 ms: the workers it leaves spinning slowed the kernels after them; Numba's blocks leave none.)
SPLIT_ROWS = 128
THIN_SIDE = 64
SPLIT_GEMM = 1 << 22

# Multiply-adds, by dtype, from which an unsplit 2-D product runs on MKL (where it is the provider) rather than
# np.matmul. Through this function at one thread (12:50-13:30 UTC, load 1-2), MKL over OpenBLAS: float32 32^3 3.3,
# 64^3 1.9, 97x51x204 0.98-1.14, 128^3 0.92-1.02, 50x1024x64 0.92-0.95; float64 64^3 1.1-1.6, 97x51x51 1.0-1.6,
# 100^3 0.75-1.20, the four LSTMCell layouts of 97 x 51 x 204 0.70-0.94, 128^3 0.76-0.92, 50x1024x64 0.73. MKL's
# call costs a few us more than np.matmul on small products (its own set-up; ~1 us of it is the compiled call).
MKL_GEMM = {np.dtype(np.float32): 1 << 21, np.dtype(np.float64): 1 << 19}

_KERNEL_BLAS_MODULE = "scipy.linalg.cython_blas"
_OUTER_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_lock = threading.Lock()
_libs = None              # _Library per loaded BLAS, found on first need ([] when none can be controlled)
_kernel_blas_seen = False  # whether SciPy's BLAS was loaded when _libs was made
_one = False              # the size class of the last product: True when it asked for one thread
_holds = 0                # single_threaded() regions running now, in all threads


class _Library:
    """One loaded BLAS: its thread-count getter and setter, and the count to return to."""

    __slots__ = ("path", "get", "set", "saved")

    def __init__(self, path, get, set):
        self.path, self.get, self.set, self.saved = path, get, set, None


def _openblas_symbols(controller):
    """OpenBLAS's own (getter, setter) through ctypes, or None where they are not process-wide."""
    if controller.internal_api != "openblas" or controller.threading_layer == "openmp":
        return None  # an OpenMP build keeps per-thread counts: go through threadpoolctl's setter
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            get = getattr(controller.dynlib, f"{prefix}openblas_get_num_threads{suffix}", None)
            set_ = getattr(controller.dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                return get, set_
    return None


def _find_libraries():
    """A _Library for every BLAS loaded now; [] without threadpoolctl or with no known BLAS."""
    try:
        from threadpoolctl import ThreadpoolController
        controllers = ThreadpoolController().select(user_api="blas").lib_controllers
    except Exception:  # threadpoolctl missing or unable to read a library: leave BLAS as it is
        return []
    found = []
    for controller in controllers:
        symbols = _openblas_symbols(controller)
        get, set_ = symbols if symbols else (controller.get_num_threads, controller.set_num_threads)
        found.append(_Library(controller.filepath, get, set_))
    return found


def _at_one():
    return _one or _holds > 0


def _libraries():
    """The controllable BLAS libraries, found again once SciPy's (Numba's) has been loaded. Under _lock."""
    global _libs, _kernel_blas_seen
    if _libs is None or (not _kernel_blas_seen and _KERNEL_BLAS_MODULE in sys.modules):
        _kernel_blas_seen = _KERNEL_BLAS_MODULE in sys.modules
        known = {lib.path: lib for lib in _libs or ()}
        _libs = [known.get(lib.path, lib) for lib in _find_libraries()]
        if _at_one():  # a library loaded since BLAS went to one thread joins it there
            for lib in _libs:
                if lib.saved is None:
                    lib.saved = lib.get()
                    lib.set(1)
    return _libs


def _change(one=None, holds=0):
    """Set the size class and/or the hold count, and move BLAS to one thread or back when that changes."""
    global _one, _holds
    with _lock:
        libs = _libraries()
        before = _at_one()
        if one is not None:
            _one = one
        _holds += holds
        after = _at_one()
        if after and not before:
            for lib in libs:
                lib.saved = lib.get()
                lib.set(1)
        elif before and not after:
            nap()  # a spinning helper would share a core with BLAS's threads
            for lib in libs:
                if lib.saved is not None:
                    lib.set(lib.saved)
                    lib.saved = None


def controllable():
    """Whether BLAS's thread count can be set here (threadpoolctl knows a loaded BLAS)."""
    with _lock:
        return bool(_libraries())


def _one_thread(m, k, n):
    """Whether an (m, k) @ (k, n) product should run on one BLAS thread: every one under ``SMALL_GEMM``
    (mid-sized 2-D float ones use Numba's threads instead, ``matmul``), and every one while Numba runs one thread
    (``numbatorch.set_num_threads(1)``: PyTorch's products then run on one thread too)."""
    return m * k * n < SMALL_GEMM or numba.get_num_threads() < 2


def _row_blocks(m, k, n):
    """Blocks of rows an (m, k) @ (k, n) float product runs in (``_split_gemm``); 1: one BLAS call.

    Products under ``SMALL_GEMM`` from ``SPLIT_GEMM`` multiply-adds with ``2 * SPLIT_ROWS`` rows and ``THIN_SIDE``
    on the other sides, one block per Numba thread of at least ``SPLIT_ROWS`` rows: the count depends on the shape
    and the thread count only, never on the load.
    Not inside a ``single_threaded()`` region (the caller's threads already share the cores), nor under
    ``use_deterministic_algorithms`` (OpenBLAS's float64 blocks round differently from the whole product). With
    MKL (``_split_gemm.direct()``) products from ``SMALL_GEMM`` on split too, instead of running on BLAS's threads."""
    if _holds:
        return 1
    blocks = min(numba.get_num_threads(), m // SPLIT_ROWS)
    if m * k * n >= SMALL_GEMM:
        return blocks if _split_gemm.direct() else 1
    if not _splits(m, k, n) or are_deterministic_algorithms_enabled():
        return 1
    return blocks


def _splits(m, k, n):
    """Whether an (m, k) @ (k, n) product under ``SMALL_GEMM`` is large enough to split into row blocks."""
    return m >= 2 * SPLIT_ROWS and k >= THIN_SIDE and n >= THIN_SIDE and m * k * n >= SPLIT_GEMM


def prepare_gemm(m, k, n):
    """Set BLAS's thread count for (m, k) @ (k, n) products run next, e.g. inside a Numba kernel."""
    one = _one_thread(m, k, n)
    if one is not _one or (not _kernel_blas_seen and _KERNEL_BLAS_MODULE in sys.modules):
        _change(one=one)


def matmul(a, b):
    """``np.matmul(a, b)`` with BLAS's threads chosen for the size of each 2-D product; mid-sized float 2-D
    products split into blocks of rows on Numba's threads, large ones run on MKL where it is the provider."""
    if a.ndim == 2 and b.ndim == 2 and a.dtype.kind == "f":
        m, k, n = a.shape[0], a.shape[1], b.shape[1]
        if k == 1 and b.shape[0] == 1:
            return _outer(a, b)
        size, mkl_floor = m * k * n, MKL_GEMM.get(a.dtype, SMALL_GEMM)
        if size < mkl_floor and size < SMALL_GEMM and not _splits(m, k, n):
            # the common small product in the fewest steps (~3 us less): one BLAS thread, no blocks, not MKL's
            if not _one:
                _change(one=True)
            return np.matmul(a, b)
        parts = _row_blocks(m, k, n)
        if parts > 1:
            if not _one:
                _change(one=True)
            # beside a busy neighbour the blocks run in turn: a block on a worker waiting for its core held it up
            out = _split_gemm.matmul(a, b, parts, spare_core())
            if out is not None:
                return out
        one = _one_thread(m, k, n)
        if one is not _one:
            _change(one=one)
        # MKL runs the whole product; numpy's BLAS keeps its count for what numpy runs
        if size >= mkl_floor and _split_gemm.direct():
            out = _split_gemm.whole(a, b)
            if out is not None:
                return out
        return np.matmul(a, b)
    if a.ndim and b.ndim:
        one = _one_thread(a.shape[-2] if a.ndim > 1 else 1, a.shape[-1], b.shape[-1] if b.ndim > 1 else 1)
        if one is not _one:
            _change(one=one)
    if a.dtype.kind == "V":  # bfloat16 (ml_dtypes) has no BLAS: multiply in float32, round once, like PyTorch
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return np.matmul(a, b)


def _outer(a, b):
    """``a @ b`` for (m, 1) @ (1, n): a product per element. np.matmul took 25 us for 97 x 1 x 204 (no BLAS path for
    k = 1) and numpy's broadcast multiply 10-17 us, this loop 2.5-4 us. BLAS and numpy's loop add each product to a
    zero, so a -0 product gives +0: so does this (x * w + 0)."""
    from ._rnn_math import outer_plus_row  # the recurrent layers' kernel, imported at the first outer product

    if a.dtype != b.dtype or a.dtype not in _OUTER_DTYPES:
        return np.matmul(a, b)
    out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    outer_plus_row(np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(b[0]), np.zeros(b.shape[1], a.dtype), out)
    return out


def _pairable(a, b):
    """Whether ``a @ b`` is a 2-D product under SMALL_GEMM from SPLIT_GEMM multiply-adds with every side at least
    THIN_SIDE: one worth a Numba thread of its own beside another."""
    if a.ndim != 2 or b.ndim != 2:
        return False
    m, k, n = a.shape[0], a.shape[1], b.shape[1]
    return SPLIT_GEMM <= m * k * n < SMALL_GEMM and min(m, k, n) >= THIN_SIDE


def matmul_pair(a1, b1, a2, b2):
    """``(matmul(a1, b1), matmul(a2, b2))`` for two independent products (a product's two gradients): two
    mid-sized 2-D float ones (``_pairable``) run whole on one BLAS thread each, side by side on Numba's threads
    beside a spare core, else one after the other.

    Each is one BLAS call, so a result never depends on the load, nor on the thread count. No product is packed
    twice, as row blocks pack the other operand each: in the tanh chain a pair of 256^3 products took about one
    product's one-thread time (~256 us) where the two in row blocks took 2 x 162 us; a linear layer's gradients
    (MultiheadAttention's 1600 x 192 x 64 and 192 x 1600 x 64) run side by side where the weight's, with its 192
    rows, would not split."""
    if _pairable(a1, b1) and _pairable(a2, b2) and not _holds and numba.get_num_threads() > 1:
        if not _one:
            _change(one=True)
        out = _split_gemm.pair(a1, b1, a2, b2, spare_core())
        if out is not None:
            return out
    return matmul(a1, b1), matmul(a2, b2)


class single_threaded:
    """Context manager holding BLAS at one thread inside it (nests, overlaps across threads)."""

    __slots__ = ()

    def __enter__(self):
        _change(holds=1)
        return self

    def __exit__(self, *exc_info):
        _change(holds=-1)
        return False


def _after_fork_in_child():
    """The parent's lock may have been held by another thread; its holds ended with that thread."""
    global _lock, _one, _holds
    _lock = threading.Lock()
    _one, _holds = _at_one(), 0  # BLAS stays where it was until the next product's class differs


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
