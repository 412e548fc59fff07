"""The row-offset convolution's weight rearrangements (``_conv_rows.py``) as loops: numpy's transposing copies
move runs of kw (5 for cifar2's conv2) elements and took 45 us for cifar2's 64 x 32 x 5 x 5 weight, the loops
13 us (the weight) and 25 us (its gradient), on the main thread of every step.

A copy moves values only, so kernel and stand-in give the same bits.
"""
import numpy as np
from numba import njit

from ._tiered import Tiered


def _rows_from_weight_numpy(w4, out):
    """``rows_from_weight`` as one numpy transposing copy."""
    out[...] = w4.transpose(2, 0, 1, 3)


def _rows_from_weight(w4, out):
    """out (kh, Cout, C, kw) = the weight w4 (Cout, C, kh, kw), kernel row first; writes follow ``out``, whose
    (Cout, C) pairs run as one axis (four-axis indexing: 17 us for cifar2's conv2, this 13 us)."""
    Cout, C, kh, kw = w4.shape
    w = w4.reshape(Cout * C, kh * kw)
    rows = out.reshape(kh, Cout * C, kw)
    for a in range(kh):
        for oc in range(Cout * C):
            for b in range(kw):
                rows[a, oc, b] = w[oc, a * kw + b]


def _weight_from_row_grads_numpy(g4, out):
    """``weight_from_row_grads`` as one numpy transposing copy."""
    out[...] = g4.transpose(3, 1, 0, 2)


def _weight_from_row_grads(g4, out):
    """out (Cout, C, kh, kw) = g4 (kh, C, kw, Cout), a weight gradient accumulated by kernel rows, one (kw, Cout)
    block of g4 at a time, written along kw (reading along Cout: 32 us for cifar2's conv2; walking ``out`` in
    order: 46 us)."""
    kh, C, kw, Cout = g4.shape
    for a in range(kh):
        for c in range(C):
            for o in range(Cout):
                for b in range(kw):
                    out[o, c, a, b] = g4[a, c, b, o]


_jit = njit(cache=True, nogil=True)
rows_from_weight = Tiered(_jit(_rows_from_weight), _rows_from_weight_numpy)
weight_from_row_grads = Tiered(_jit(_weight_from_row_grads), _weight_from_row_grads_numpy)
