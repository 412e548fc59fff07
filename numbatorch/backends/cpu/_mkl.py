"""Intel MKL's sequential ``cblas_?gemm`` from the ``mkl`` wheel (``pip install numbatorch[mkl]``), loaded at the
first product that asks for it, never at import.

Why: on this machine's cores MKL's one-thread gemm took 0.88x OpenBLAS's time on float32 256^3 and
1600 x 64 x 192 (MultiheadAttention's projections) and 0.68-0.73x on the float64 97 x 51 x 204 products of an
LSTMCell; its results equalled PyTorch's (which runs MKL) bit for bit on all of them.
Cost: loading it adds ~15 ms to the first product and ~20 MB of resident (file-backed, shared) library pages.

Bits: the threading layer is set to SEQUENTIAL before any other call, so a product never runs on MKL's threads
(``_split_gemm`` runs blocks of rows on Numba's threads instead). Results did not change with the operands'
alignment (offsets of 1-8 elements, tested), so Conditional Numerical Reproducibility (``MKL_CBWR_Set``) is left
off, which keeps MKL's bits PyTorch's.

``NUMBATORCH_BLAS=openblas`` keeps numpy's OpenBLAS even where the wheel is installed; ``NUMBATORCH_BLAS=mkl``
asks for MKL and warns where it cannot be loaded.
"""
import ctypes
import glob
import os
import site
import sys
import warnings

import numpy as np

_SEQUENTIAL = 1  # MKL_THREADING_SEQUENTIAL
_LP64 = 0        # MKL_INTERFACE_LP64: 32-bit integers, whatever MKL_INTERFACE_LAYER says

_functions = None
_searched = False


def requested():
    """The provider ``NUMBATORCH_BLAS`` names: "mkl", "openblas", or "" (MKL where installed)."""
    return os.environ.get("NUMBATORCH_BLAS", "").strip().lower()


def _library_paths():
    """Where the ``mkl`` wheel puts ``libmkl_rt``: the lib folder of the environment or of a ``--user`` install
    (pip's data files)."""
    folders = {os.path.join(sys.prefix, "lib"), os.path.join(site.getuserbase(), "lib"),
               os.path.normpath(os.path.join(os.path.dirname(np.__file__), "..", "..", "..", "lib"))}
    return sorted(path for folder in folders for path in glob.glob(os.path.join(folder, "libmkl_rt.so*")))


def _load():
    """{dtype: ctypes gemm} of a sequential LP64 MKL, or None where no ``libmkl_rt`` loads."""
    for path in _library_paths():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        # Both return the layer in force: another user of this MKL (numpy built on it) may have fixed others first
        sequential = library.MKL_Set_Threading_Layer(_SEQUENTIAL) == _SEQUENTIAL
        if not sequential or library.MKL_Set_Interface_Layer(_LP64) != _LP64:
            continue
        found = {}
        for dtype, letter, scalar in ((np.float32, "s", ctypes.c_float), (np.float64, "d", ctypes.c_double)):
            function = getattr(library, f"cblas_{letter}gemm")
            function.argtypes = [ctypes.c_int] * 6 + [scalar, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                                      ctypes.c_int, scalar, ctypes.c_void_p, ctypes.c_int]
            function.restype = None
            found[np.dtype(dtype)] = function
        return found
    return None


def available():
    """Whether MKL's gemm is the one to use: installed, loadable, and not overridden by ``NUMBATORCH_BLAS``."""
    global _functions, _searched
    if not _searched:
        _searched = True
        if requested() != "openblas":
            _functions = _load()
            if _functions is None and requested() == "mkl":
                warnings.warn("NUMBATORCH_BLAS=mkl but no libmkl_rt could be loaded (pip install mkl): "
                              "using numpy's BLAS", RuntimeWarning)
    return _functions is not None


def gemm_function(dtype):
    """MKL's ctypes ``cblas_?gemm`` for float32 or float64 (``available()`` must be True), 32-bit integers."""
    return _functions[np.dtype(dtype)]
