"""Jobs for ``_spin_pool``: a kernel body run on one part ``start:stop`` of flat float32/float64 arrays, compiled as a
C function the helper threads call by address.

A job wraps the very loop body of a kernel (``make(range)``, as ``_parallel.twin_kernels`` builds it), inlined on
views of the part, so it computes what the kernel computes. Its arguments travel in two arrays: ``ints`` holds the
dtype code and the arrays' addresses (0 for an operand that is a scalar), ``floats`` the scalars, converted to the
arrays' dtype inside the job. An output that is one of the inputs is passed to the body as that same view: the
compiler then sees one array read and written at each index and vectorises the loop (two views of one address
make it take its unvectorised overlap fallback).

Compiling a job costs ~1 s, so a ``Job`` is compiled only once a cold start is over: at its first use when Numba's
disk cache holds it, else once its callers have moved ``COMPILE_AFTER_BYTES`` doing its work another way (at
once where ``_parallel.PARALLEL_AFTER_SECONDS`` is 0: ``python -m numbatorch warmup``, the tests).
"""
import threading

import numpy as np
from numba import carray, njit
from numba.core.ccallback import CFunc
from numba.core.compiler_lock import global_compiler_lock

from . import _parallel
from ._atomics import JOB_SIGNATURE, element_pointer

# ``ints`` slots: the dtype code (its itemsize), the output's address, then the operands' (0: the scalar floats[0]).
DTYPE, OUT, FIRST, SECOND = 0, 1, 2, 3
_OPTIONS = {"nopython": True, "error_model": "numpy"}
# Bytes moved by a job's callers in its place after which it is compiled although not cached: ~0.5 s of
# one-thread arithmetic, about the compile's own cost.
COMPILE_AFTER_BYTES = 4 << 30


@njit(inline="always")
def _view(ints, slot, start, n, dtype):
    return carray(element_pointer(ints[slot], start, dtype), n)


@njit(inline="always", error_model="numpy")
def _in_dtype(part, body, start, stop, ints, floats):
    """``part`` on views of the arrays' dtype: float32 or float64 (``ints[DTYPE]`` is its itemsize)."""
    if ints[DTYPE] == 4:
        part(body, start, stop, ints, floats, np.float32)
    else:
        part(body, start, stop, ints, floats, np.float64)


@njit(inline="always", error_model="numpy")
def _binary_part(body, start, stop, ints, floats, dtype):
    n = stop - start
    out = _view(ints, OUT, start, n, dtype)
    x, y = ints[FIRST], ints[SECOND]
    if x == 0:
        if y == ints[OUT]:
            body(dtype(floats[0]), out, out)
        else:
            body(dtype(floats[0]), _view(ints, SECOND, start, n, dtype), out)
    elif y == 0:
        if x == ints[OUT]:
            body(out, dtype(floats[0]), out)
        else:
            body(_view(ints, FIRST, start, n, dtype), dtype(floats[0]), out)
    elif x == ints[OUT]:
        body(out, _view(ints, SECOND, start, n, dtype), out)
    elif y == ints[OUT]:
        body(_view(ints, FIRST, start, n, dtype), out, out)
    else:
        body(_view(ints, FIRST, start, n, dtype), _view(ints, SECOND, start, n, dtype), out)


@njit(inline="always", error_model="numpy")
def binary(body, start, stop, ints, floats):
    """A job's work for an elementwise kernel body ``(x, y, out)`` where x or y may be a scalar
    (``_arithmetic_kernels``): the output a new array or either operand."""
    _in_dtype(_binary_part, body, start, stop, ints, floats)


@njit(inline="always", error_model="numpy")
def _one_operand_part(body, start, stop, ints, floats, dtype):
    n = stop - start
    x = _view(ints, OUT, start, n, dtype)
    if ints[FIRST] == ints[OUT]:
        body(x, x, dtype(floats[0]))
    else:
        body(x, _view(ints, FIRST, start, n, dtype), dtype(floats[0]))


@njit(inline="always", error_model="numpy")
def in_place_one_operand(body, start, stop, ints, floats):
    """A job's work for an in-place kernel body ``(x, a, scalar)`` writing x (``_inplace_kernels``)."""
    _in_dtype(_one_operand_part, body, start, stop, ints, floats)


@njit(inline="always", error_model="numpy")
def _two_operand_part(body, start, stop, ints, floats, dtype):
    n = stop - start
    body(_view(ints, OUT, start, n, dtype), _view(ints, FIRST, start, n, dtype), _view(ints, SECOND, start, n, dtype),
         dtype(floats[0]))


@njit(inline="always", error_model="numpy")
def in_place_two_operands(body, start, stop, ints, floats):
    """A job's work for an in-place kernel body ``(x, a, b, scalar)`` writing x (``_inplace_kernels``)."""
    _in_dtype(_two_operand_part, body, start, stop, ints, floats)


@njit(inline="always", error_model="numpy")
def _map_one_part(body, start, stop, ints, floats, dtype):
    n = stop - start
    body(_view(ints, FIRST, start, n, dtype), _view(ints, OUT, start, n, dtype))


@njit(inline="always", error_model="numpy")
def map_one(body, start, stop, ints, floats):
    """A job's work for a kernel body ``(x, out)`` writing a new array (``pointwise.map_arrays``)."""
    _in_dtype(_map_one_part, body, start, stop, ints, floats)


@njit(inline="always", error_model="numpy")
def _map_two_part(body, start, stop, ints, floats, dtype):
    n = stop - start
    body(_view(ints, FIRST, start, n, dtype), _view(ints, SECOND, start, n, dtype), dtype(floats[0]),
         _view(ints, OUT, start, n, dtype))


@njit(inline="always", error_model="numpy")
def map_two(body, start, stop, ints, floats):
    """A job's work for a kernel body ``(grad, y, scalar, out)`` writing a new array (``pointwise``'s
    backward kernels)."""
    _in_dtype(_map_two_part, body, start, stop, ints, floats)


@njit(inline="always", error_model="numpy")
def _alone_part(body, start, stop, ints, floats, dtype):
    body(dtype(floats[0]), _view(ints, OUT, start, stop - start, dtype))


@njit(inline="always", error_model="numpy")
def in_place_alone(body, start, stop, ints, floats):
    """A job's work for an in-place kernel body ``(scalar, x)`` (``pointwise.relu_``)."""
    _in_dtype(_alone_part, body, start, stop, ints, floats)


def loop_body(make):
    """A kernel's loop body ``make(range)`` compiled to be inlined into jobs (as ``twin_kernels``' serial build is
    made, and with its error model)."""
    return njit(inline="always", error_model="numpy")(make(range))


ALL = []  # every Job made, for ``python -m numbatorch warmup``


class Job:
    """The C function of ``function(start, stop, ints, floats)``, compiled (or loaded from Numba's disk cache) only
    when worth it: see the module docstring. ``address`` is None until then.

    ``function`` must be a module-level function, not a closure: Numba's disk cache keys a closure by its captured
    values, and a captured kernel pickles differently in every process, so a closure would compile anew in each.
    """

    def __init__(self, function):
        ALL.append(self)
        self.function = function
        self.address = None
        self.moved = 0  # bytes its callers moved in its place while it was not compiled
        self._probed = False
        self._lock = threading.Lock()

    def ready(self, moved):
        """Whether the job can run an op moving ``moved`` bytes now: compiled, or loaded from the disk cache, or
        compiled now that its budget is spent (else the caller does the work another way)."""
        if self.address is not None:
            return True
        self.moved += moved
        if self._probed and self._waits():
            return False
        with self._lock:
            if self.address is None:
                compiled = CFunc(self.function, (JOB_SIGNATURE.args, JOB_SIGNATURE.return_type), locals={},
                                 options=_OPTIONS)
                compiled.enable_caching()
                with global_compiler_lock:  # as Numba's own loads: _cache_loads narrows the target meanwhile
                    cached = compiled._cache.load_overload(compiled._sig, compiled._targetdescr.target_context)
                self._probed = True
                if cached is None and self._waits():
                    return False
                compiled.compile()
                self.address = compiled.address
        return True

    def _waits(self):
        """Whether an uncached job still waits for its callers to spend its compile budget."""
        return self.moved < COMPILE_AFTER_BYTES and _parallel.PARALLEL_AFTER_SECONDS > 0
