"""A large numpy ufunc call run in two parts at once: the second on one persistent helper thread, the first (a
little larger: the helper starts late) on the calling thread. numpy releases the GIL inside its ufunc loops, so the
parts run in parallel; each is numpy's own SIMD loop, so the result has the whole call's bits exactly.

PyTorch splits its elementwise ops over both cores; numpy's single thread took 1.3-1.9x its time on 8 MiB tensors.
Handing a half to a sleeping thread costs tens of microseconds (a futex wake-up; nothing spins), so only calls
moving ``MIN_BYTES`` or more split, and only while another core is spare (``_spare_core``, as for the threaded
arithmetic: a half waiting for a busy core costs whole scheduler ticks).

numpy's floating-point error state is per thread, so both halves run with every error recorded (``call`` mode)
and the union is then reported under the caller's settings, once, as numpy reports the whole call's.
"""
import os
import sys
import threading
import warnings

import numba
import numpy as np

from ._spare_core import spare_core
from ._spin_pool import nap

# Bytes read and written (array operands and output) from which two halves beat one call on 2 cores. Measured on a
# quiet machine, float32, a new output (median us: whole / halves with the caller's share at 0.5, 0.55, 0.6, 0.65):
# np.exp 1 MiB moved 77 / 143 135 132 130, 2 MiB 157 / 197 177 152 130, 4 MiB 374 / 330 267 229 255, 8 MiB
# 688 / 496 441 406 442, 16 MiB 1100 / 739 662 694 742; np.negative 1 MiB 55 / 136 119 116 116, 2 MiB 114 / 175 166
# 113 107, 4 MiB 321 / 245 210 209 156, 8 MiB 486 / 376 284 252 280, 16 MiB 757 / 519 466 434 475; np.maximum and
# np.sin alike. (0.5 MiB: exp 24 / 124, negative 6 / 95.) The helper wakes 25-100 us after the hand-off, and the
# caller as long after the helper finishes: two halves lose below 2 MiB and win from 4.
MIN_BYTES = 4 << 20
# So the caller's share is the larger, by a head start worth this many bytes moved (0.65 at most): 0.65 of 4 MiB,
# 0.59 of 8, 0.55 of 16, the best shares measured above.
HEAD_START_BYTES = 3 << 18
# The split falls on a cache line of the output, so that the threads never write one line.
_LINE = 64
# Array kinds whose loops release the GIL: bool, integers, floats, complex.
_KINDS = frozenset("biufc")
# numpy's error kinds in the order it reports them: (np.geterr key, status bit, message).
_ERRORS = (("divide", 1, "divide by zero"), ("over", 2, "overflow"), ("under", 4, "underflow"),
           ("invalid", 8, "invalid value"))


class _Helper:
    """The thread that runs second halves: ``go`` released hands it ``task``, it releases ``done`` when finished
    (plain locks as binary semaphores: the cheapest blocking hand-off CPython has)."""

    def __init__(self):
        self.go, self.done = threading.Lock(), threading.Lock()
        self.go.acquire()
        self.done.acquire()
        self.task = self.error = None
        self.thread = threading.Thread(target=self._serve, name="numbatorch-ufunc-half", daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            self.go.acquire()
            try:
                self.task()
            except BaseException as error:  # re-raised in the caller
                self.error = error
            self.task = None
            self.done.release()


_busy = threading.Lock()  # held while a split runs: a second caller (another thread, or re-entrant) runs whole
_helper = None


def _reset():
    """After a fork: the child has no helper thread, and ``_busy`` may have been held by a parent thread."""
    global _busy, _helper
    _busy, _helper = threading.Lock(), None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset)


def run(ufunc, *inputs, out=None, **kwargs):
    """``ufunc(*inputs, out=out, **kwargs)``, in two halves at once where that pays: one-output ufuncs over
    C-contiguous arrays of one shape (or scalars), moving ``MIN_BYTES`` or more, into a new output or exactly one of
    the inputs (``kwargs`` only ``dtype`` or ``casting``)."""
    if type(out) is tuple and len(out) == 1:
        out = out[0]
    plan = _plan(ufunc, inputs, out, kwargs)
    if plan is None or not _busy.acquire(blocking=False):
        return ufunc(*inputs, **kwargs) if out is None else ufunc(*inputs, out=out, **kwargs)
    try:
        return _split(ufunc, inputs, out, kwargs, *plan)
    finally:
        _busy.release()


def _plan(ufunc, inputs, out, kwargs):
    """``(shape, output dtype, bytes moved)`` where the call splits, else None; the cheap size check first."""
    arrays = [a for a in inputs if type(a) is np.ndarray and a.ndim]
    if not arrays or type(ufunc) is not np.ufunc or ufunc.nout != 1 or ufunc.nin != len(inputs):
        return None
    moved = sum(a.nbytes for a in arrays) + (arrays[0].nbytes if out is None else out.nbytes)
    if moved < MIN_BYTES or kwargs.keys() - {"dtype", "casting"} or sys.is_finalizing():
        return None
    shape = arrays[0].shape
    for a in inputs:
        if type(a) is np.ndarray and a.ndim:
            if a.shape != shape or not a.flags.c_contiguous or a.dtype.kind not in _KINDS:
                return None
        elif np.ndim(a) or isinstance(a, np.ndarray) and a.dtype.kind not in _KINDS:
            return None
    if out is not None:
        if not any(out is a for a in inputs) or out.dtype.kind not in _KINDS:
            return None
        # another view of out's memory would be read after a half wrote it (numpy's whole call copies first)
        if any(a is not out and type(a) is np.ndarray and np.may_share_memory(a, out) for a in inputs):
            return None
    if not (numba.get_num_threads() > 1 and spare_core()):
        return None
    if out is not None:
        return shape, out.dtype, moved
    try:  # numpy's own choice of output dtype, from a one-element call
        with np.errstate(all="ignore"):
            dtype = ufunc(*(a.reshape(-1)[:1] if type(a) is np.ndarray and a.ndim else a for a in inputs),
                          **kwargs).dtype
    except Exception:
        return None  # the whole call raises it
    return (shape, dtype, moved) if dtype.kind in _KINDS else None


def _split(ufunc, inputs, out, kwargs, shape, dtype, moved):
    """Both parts, joined (the caller's the larger: the helper starts late); numpy's errors of either reported
    once under the caller's settings."""
    global _helper
    helper = _helper
    if helper is None or not helper.thread.is_alive():
        try:
            helper = _helper = _Helper()
        except RuntimeError:  # no thread can start (interpreter shutting down, thread limit)
            return ufunc(*inputs, **kwargs) if out is None else ufunc(*inputs, out=out, **kwargs)
    result = np.empty(shape, dtype) if out is None else out
    flat = result.reshape(-1)
    # the output element starting a cache line nearest the caller's share
    per_line = max(_LINE // dtype.itemsize, 1)
    skew = (-(flat.ctypes.data % _LINE) // dtype.itemsize) % per_line if _LINE % dtype.itemsize == 0 else 0
    share = min(0.5 + HEAD_START_BYTES / max(moved, 1), 0.65)
    middle = min((int(flat.size * share) - skew) // per_line * per_line + skew, flat.size)
    halves = [[], []]
    for a in inputs:
        if type(a) is np.ndarray and a.ndim:
            a = a.reshape(-1)
            halves[0].append(a[:middle])
            halves[1].append(a[middle:])
        else:
            halves[0].append(a)
            halves[1].append(a)
    status = [0, 0]

    def half(i):
        def record(_, bits):
            status[i] |= bits
        with np.errstate(all="call", call=record):
            ufunc(*halves[i], out=flat[middle:] if i else flat[:middle], **kwargs)

    settings, errcall = np.geterr(), np.geterrcall()
    nap()  # a spinning helper would share a core with this one
    helper.error = None
    helper.task = lambda: half(1)
    helper.go.release()
    try:
        half(0)
    finally:
        try:
            helper.done.acquire()
        except BaseException:  # interrupted while the helper may still write: it is never handed work again
            _helper = None
            raise
    if helper.error is not None:
        error, helper.error = helper.error, None
        raise error
    _report(ufunc.__name__, status[0] | status[1], settings, errcall)
    return result


def _report(name, status, settings, errcall):
    """numpy's handling of the floating-point ``status`` bits a call ended with, under ``settings``."""
    for key, bit, what in _ERRORS:
        if not status & bit or settings[key] == "ignore":
            continue
        message = f"{what} encountered in {name}"
        mode = settings[key]
        if mode == "warn":
            warnings.warn(message, RuntimeWarning, stacklevel=4)  # at the line that called ``run``
        elif mode == "raise":
            raise FloatingPointError(message)
        elif mode == "print":
            print(f"Warning: {message}", file=sys.stderr)
        elif errcall is None:
            raise NameError(f"python callback specified for {what} (in  {name}) but no function found.")
        elif mode == "call":
            errcall(what, status)
        else:  # log
            errcall.write(f"Warning: {message}\n")
