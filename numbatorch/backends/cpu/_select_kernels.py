"""``np.where(cond, a, b)`` for large float arrays as a Numba kernel: a pick per element without a branch.

numpy's ``where`` branches on every element; on conditions that change at random (the sign of activations or of
errors) half the branches are mispredicted, and 8 MiB of float32 took ~10 ms, against ~1 ms for two arithmetic
passes. Selecting moves values without arithmetic, so the kernel gives numpy's bits exactly (a Python number
operand is rounded to the array's dtype first, as numpy does); ``np.where`` stands in while it is not compiled.
It takes a bool condition and float32/float64 operands of the condition's shape, C-ordered, or Python numbers;
everything else, and arrays under ``MIN_SELECT_ELEMENTS``, is numpy's. Threads from ``MIN_BACKWARD_BYTES`` of
output, as the other memory-bound kernels.
"""
import numpy as np

from ._arithmetic_kernels import FLOAT_DTYPES, _element, _scalar
from ._parallel import choose, twin_kernels
from .pointwise import MIN_BACKWARD_BYTES

# Elements below which numpy's where runs: its per-call cost is lower, and few mispredicted branches cost little.
MIN_SELECT_ELEMENTS = 1 << 12


def _make_select(loop):
    def select(cond, a, b, out):
        for i in loop(out.size):
            out[i] = _element(a, i) if cond[i] else _element(b, i)
    return select


def _select_numpy(cond, a, b, out):
    np.copyto(out, np.where(cond, a, b))


_SELECT = twin_kernels(_make_select, _select_numpy)


def _operand(v, shape, dtype):
    """``v`` flat for the kernel, or None where numpy runs: an array of ``shape`` and ``dtype``, or a number in
    ``dtype`` as numpy converts it (``_arithmetic_kernels._scalar``)."""
    if type(v) is np.ndarray and v.ndim:
        if v.shape != shape or v.dtype != dtype:
            return None
        return v.reshape(-1) if v.flags.c_contiguous else np.ascontiguousarray(v).reshape(-1)
    return _scalar(v, dtype)


def select(cond, a, b):
    """``np.where(cond, a, b)``, as a kernel where it applies (module docstring)."""
    if type(cond) is not np.ndarray or cond.dtype != np.bool_ or cond.size < MIN_SELECT_ELEMENTS:
        return np.where(cond, a, b)
    like = a if type(a) is np.ndarray else b
    if type(like) is not np.ndarray or like.dtype not in FLOAT_DTYPES:
        return np.where(cond, a, b)
    x, y = _operand(a, cond.shape, like.dtype), _operand(b, cond.shape, like.dtype)
    if x is None or y is None:
        return np.where(cond, a, b)
    out = np.empty(cond.shape, like.dtype)
    flat = cond.reshape(-1) if cond.flags.c_contiguous else np.ascontiguousarray(cond).reshape(-1)
    choose(_SELECT, out.nbytes, MIN_BACKWARD_BYTES)(flat, x, y, out.reshape(-1))
    return out
