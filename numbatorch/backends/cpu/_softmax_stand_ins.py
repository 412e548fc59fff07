"""Numpy stand-ins for the softmax kernels (``softmax.py``) while their builds are not cached (``_tiered.py``).

Bit for bit the kernels' results: the same operations in the same order on the same values. The kernels call
the C library's ``exp``/``expf``/``log`` one element at a time (numpy's vectorised ``exp`` and ``log`` differ
from them in the last place), so these call the same functions through ctypes; that costs ~1 µs an element,
so only small inputs (a classifier's loss, a few rows) are served and larger ones compile. Sums are
sequential in float64 from +0.0, as in the kernels.
"""
import ctypes
import ctypes.util
import functools

import numba
import numpy as np

from ._stand_ins import _sequential_sums  # along axis 1 of (outer, n, inner)
from ._tiered import Unsupported

MAX_ELEMENTS = 1 << 13  # ~8 ms a call here; above, the kernel compiles at once


@functools.cache  # on first use: finding the library runs ldconfig, which import time should not pay
def _libm():
    """{name: element-wise ufunc over the C library function}, or None where no C math library is found."""
    name = ctypes.util.find_library("m")
    if name is None or numba.config.USING_SVML:  # SVML vectorises the kernels' exp: other bits
        return None
    libm = ctypes.CDLL(name)
    functions = {}
    for symbol, c_type in (("expf", ctypes.c_float), ("exp", ctypes.c_double), ("log", ctypes.c_double)):
        function = getattr(libm, symbol)
        function.argtypes, function.restype = (c_type,), c_type
        functions[symbol] = np.frompyfunc(function, 1, 1)
    return functions


def _check(array):
    if array.size > MAX_ELEMENTS or array.dtype not in (np.float32, np.float64) or _libm() is None:
        raise Unsupported


def _exp(a):
    """The C library's exp of each element, in ``a``'s dtype (``expf`` for float32, as Numba calls it)."""
    return _libm()["expf" if a.dtype == np.float32 else "exp"](a).astype(a.dtype)


def softmax_blocks(x, out, log):
    """``softmax.softmax_blocks``: softmax (log_softmax) of (outer, n, inner) ``x`` along axis 1 into ``out``."""
    _check(x)
    m = np.full((x.shape[0], x.shape[2]), -np.inf)  # float64 in the kernel too: x - m and its exp are float64
    for j in range(x.shape[1]):
        v = x[:, j]
        m = np.where((v > m) | (v != v), v, m)  # NaN propagates, the first of equal values (signed zeros) kept
    with np.errstate(all="ignore"):  # inf - inf and the like give NaN silently, as in the kernel
        shifted = x - m[:, None]
        s = _sequential_sums(_exp(shifted))
        s = _libm()["log"](s).astype(np.float64) if log else 1.0 / s
        out[...] = shifted - s[:, None] if log else _exp(shifted) * s[:, None]


def softmax_backward_blocks(g, y, out, log):
    """``softmax.softmax_backward_blocks``: the gradient of softmax (log_softmax) with output ``y`` into ``out``."""
    _check(y)
    with np.errstate(all="ignore"):
        s = _sequential_sums(g if log else g * y)[:, None]
        out[...] = g - _exp(y) * s if log else y * (g - s)
