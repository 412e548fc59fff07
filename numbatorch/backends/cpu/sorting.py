"""Binary search of each row of values in the matching row of sorted boundaries (``searchsorted``)."""
import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _searchsorted_rows(boundaries, values, right, out):
    """Binary search of each row of ``values`` in the matching sorted row of ``boundaries``."""
    rows, m = boundaries.shape
    for r in range(rows):
        for i in range(values.shape[1]):
            v = values[r, i]
            lo, hi = 0, m
            while lo < hi:
                mid = (lo + hi) >> 1
                b = boundaries[r, mid]
                if b < v or (right and b == v):
                    lo = mid + 1
                else:
                    hi = mid
            out[r, i] = lo


def searchsorted_forward(boundaries, values, right):
    """Insertion points (int64, shape of ``values``) of rows ``values`` (rows, k) in ``boundaries`` (rows, m)."""
    out = np.empty(values.shape, np.int64)
    _searchsorted_rows(boundaries, values, right, out)
    return out
