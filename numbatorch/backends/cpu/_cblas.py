"""Direct ``cblas_?gemm`` calls into the OpenBLAS that numpy loaded, for products numpy cannot express.

``np.matmul`` has no ``beta``: accumulating ``C += A @ B`` costs a temporary and an extra pass over C.
The row-offset convolution (``_conv_rows.py``) adds kh products into one result and multiplies strided
windows of one buffer (leading dimension = row pitch), so it calls the library's CBLAS entry through
ctypes (which releases the GIL during the call). ``available()`` is False where no OpenBLAS CBLAS symbol
is found (another BLAS, or threadpoolctl cannot see it): callers then keep the im2col path. Where Intel MKL is
the provider (``_mkl``), ``gemm`` calls its sequential gemm instead, with the same arguments.
"""
import ctypes

import numpy as np

from . import _mkl

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112

# (symbol pattern, whether its integers are 64-bit): numpy's wheels bundle OpenBLAS with a ``scipy_``
# prefix and, for the ILP64 build, a ``64_`` suffix
_SYMBOLS = (("scipy_cblas_{}gemm64_", True), ("cblas_{}gemm64_", True), ("scipy_cblas_{}gemm", False),
            ("cblas_{}gemm", False))


def _bind(dynlib, ilp64_build):
    """{dtype: ctypes gemm} of one loaded library, or None."""
    for pattern, ilp64 in _SYMBOLS:
        found = {}
        for dtype, letter, scalar in ((np.float32, "s", ctypes.c_float), (np.float64, "d", ctypes.c_double)):
            fn = getattr(dynlib, pattern.format(letter), None)
            if fn is None:
                break
            index = ctypes.c_int64 if ilp64 or ilp64_build else ctypes.c_int
            fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, index, index, index, scalar, ctypes.c_void_p,
                           index, ctypes.c_void_p, index, scalar, ctypes.c_void_p, index]
            fn.restype = None
            found[np.dtype(dtype)] = fn
        if len(found) == 2:
            return found
    return None


def _find():
    """The CBLAS gemm functions of numpy's OpenBLAS (the library numpy.matmul runs), or None."""
    try:
        from threadpoolctl import ThreadpoolController
        controllers = ThreadpoolController().select(internal_api="openblas").lib_controllers
    except Exception:   # threadpoolctl unable to inspect the process: keep the numpy path
        return None
    # numpy's own library first: its thread count is the one blas.single_threaded() holds for sure
    controllers = sorted(controllers, key=lambda c: "numpy" not in c.filepath)
    for controller in controllers:
        bound = _bind(controller.dynlib, _ilp64_build(controller.dynlib))
        if bound is not None:
            return bound
    return None


def _ilp64_build(dynlib):
    """Whether an OpenBLAS without the ``64_`` suffix still takes 64-bit integers (its build config says)."""
    config = getattr(dynlib, "openblas_get_config", None)
    if config is None:
        return False
    config.restype = ctypes.c_char_p
    return b"USE64BITINT" in (config() or b"")


_functions = None
_searched = False


def available():
    """Whether ``gemm`` can be called here."""
    global _functions, _searched
    if not _searched:
        _functions = _find()
        _searched = True
    return _functions is not None


def gemm_function(dtype):
    """The ctypes ``cblas_?gemm`` for float32 or float64 (``available()`` must be True): for callers that re-type it."""
    return _functions[np.dtype(dtype)]


def gemm(a, b, c, beta=0.0, trans_a=False, trans_b=False, count=1, steps=(0, 0, 0)):
    """``c = op(a) @ op(b) + beta * c`` in place on 2-d row-major arrays (unit inner stride, any row pitch), by
    Intel MKL's sequential gemm where it is the provider (``_mkl``; 0.72-0.89x OpenBLAS's time on the row-offset
    convolution's products, e.g. 160 x 3000 x 64 float32), else numpy's OpenBLAS.

    With ``count`` > 1, that many products in one call: the i-th reads and writes the matrices of the same
    shapes and pitches that start ``i * steps[j]`` elements after a, b and c (j = 0, 1, 2; all inside their
    buffers, the caller's to ensure), with beta for the first and 1 for the others (a step of 0 accumulates
    into one result).  Each call's conversions (array addresses, pitches) cost ~4 us: once per kernel's kh
    products instead of per product."""
    m, n = c.shape
    k = a.shape[0] if trans_a else a.shape[1]
    fn = _mkl.gemm_function(c.dtype) if _mkl.available() else _functions[c.dtype]
    ta, tb = _TRANS if trans_a else _NO_TRANS, _TRANS if trans_b else _NO_TRANS
    lda, ldb, ldc = _leading(a), _leading(b), _leading(c)
    pa, pb, pc = a.ctypes.data, b.ctypes.data, c.ctypes.data
    sa, sb, sc = (step * c.itemsize for step in steps)
    for i in range(count):
        fn(_ROW_MAJOR, ta, tb, m, n, k, 1.0, pa + i * sa, lda, pb + i * sb, ldb, beta if i == 0 else 1.0,
           pc + i * sc, ldc)


def _leading(x):
    """Row pitch of a row-major matrix in elements, as CBLAS requires it (at least its row length, and 1): numpy
    gives a one-row or empty matrix any stride, which the library would reject without computing anything."""
    pitch = x.strides[0] // x.itemsize if x.shape[0] > 1 and x.shape[1] > 0 else 0
    return max(1, x.shape[1], pitch)
