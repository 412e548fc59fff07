"""``np.dot(a, b, out)`` as a Numba kernel runs it, for numpy stand-ins (``_tiered.py``) that must give its bits.

Numba binds SciPy's ``scipy.linalg.cython_blas``, a different OpenBLAS build from numpy's, whose results can differ
in the last bit; so the stand-in calls the same function pointers through ctypes with Numba's arguments. Like
Numba, a product with one row (or one column) is a ``gemv``. Where a pointer cannot be bound (no SciPy, no such
capsule, no ``ctypes.pythonapi``), ``check_product`` raises ``Unsupported`` and the kernel itself runs.
"""
import ctypes
import importlib

import numpy as np

from ._tiered import Unsupported

_BLAS_LETTER = {np.dtype(np.float32): "s", np.dtype(np.float64): "d"}
_ARGUMENTS = {"gemm": 13, "gemv": 11}
_blas = {}  # "sgemm", ... -> ctypes function of SciPy's cython_blas, or None where it cannot be bound


def _routine(m, n, dtype):
    """The BLAS routine Numba calls for an (m, k) x (k, n) product of ``dtype``."""
    return _BLAS_LETTER[dtype] + ("gemv" if m == 1 or n == 1 else "gemm")


def _bind(name):
    """SciPy's ``cython_blas`` ``name`` (the function pointer Numba's ``np.dot`` calls) as a ctypes function."""
    capsule = importlib.import_module("scipy.linalg.cython_blas").__pyx_capi__[name]
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    signature = get_name(capsule)
    arguments = _ARGUMENTS[name[1:]]
    if signature.count(b",") + 1 != arguments:
        raise TypeError(f"{name}: unexpected signature {signature!r}")
    return ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * arguments)(get_pointer(capsule, signature))


def _blas_function(name):
    """``_bind(name)``, bound once; None where binding failed."""
    if name not in _blas:
        try:
            _blas[name] = _bind(name)
        except (ImportError, AttributeError, KeyError, TypeError, ValueError):
            _blas[name] = None
    return _blas[name]


def check_product(a, b, out, transposed_b=False):
    """Raise ``Unsupported`` unless ``dot(a, b, out, transposed_b)`` can replay the kernel's product (called before
    a stand-in writes anything)."""
    b_stored = b.T if transposed_b else b
    if not (a.flags.c_contiguous and b_stored.flags.c_contiguous and out.flags.c_contiguous):
        raise Unsupported
    if out.dtype not in _BLAS_LETTER:
        raise Unsupported
    if transposed_b and (a.shape[0] == 1 or b.shape[1] == 1):
        raise Unsupported  # Numba's gemv of a transposed operand: not replayed
    if a.shape[0] == 1 and b.shape[1] == 1:
        raise Unsupported  # Numba takes ?dot here: not worth a binding of its own
    if _blas_function(_routine(a.shape[0], b.shape[1], out.dtype)) is None:
        raise Unsupported


def dot(a, b, out, transposed_b=False):
    """``np.dot(a, b, out)`` as a Numba kernel runs it (after ``check_product``): the same BLAS call.
    transposed_b: b is the transpose of a C-contiguous array (Numba's 'F' layout, e.g. ``v.T`` in the kernel)."""
    m, k = a.shape
    n = b.shape[1]
    if m == 0 or n == 0 or k == 0:
        out[...] = 0
        return
    function = _blas_function(_routine(m, n, out.dtype))
    scalar = ctypes.c_float if out.dtype == np.float32 else ctypes.c_double
    keep = [scalar(1.0), scalar(0.0), ctypes.c_int(1)]  # alive until the call returns
    alpha, beta, inc = (ctypes.addressof(v) for v in keep)
    ints = [ctypes.c_int(v) for v in (m, n, k)]
    c_m, c_n, c_k = (ctypes.addressof(v) for v in ints)
    if n == 1:  # matrix x vector: Numba's gemv on a transposed as a column-major (k, m) matrix
        trans = ctypes.c_char(b"t")
        function(ctypes.addressof(trans), c_k, c_m, alpha, a.ctypes.data, c_k, b.ctypes.data, inc, beta,
                 out.ctypes.data, inc)
    elif m == 1:  # vector x matrix: gemv on b as a column-major (n, k) matrix
        trans = ctypes.c_char(b"n")
        function(ctypes.addressof(trans), c_n, c_k, alpha, b.ctypes.data, c_n, a.ctypes.data, inc, beta,
                 out.ctypes.data, inc)
    elif transposed_b:  # as below, b^T stored row-major being b in column-major terms
        trans_b, trans_a = ctypes.c_char(b"t"), ctypes.c_char(b"n")
        function(ctypes.addressof(trans_b), ctypes.addressof(trans_a), c_n, c_m, c_k, alpha, b.ctypes.data, c_k,
                 a.ctypes.data, c_k, beta, out.ctypes.data, c_n)
    else:  # out^T = b^T a^T in column-major terms, the operands in Numba's order
        trans = ctypes.c_char(b"n")
        function(ctypes.addressof(trans), ctypes.addressof(trans), c_n, c_m, c_k, alpha, b.ctypes.data, c_n,
                 a.ctypes.data, c_k, beta, out.ctypes.data, c_n)
