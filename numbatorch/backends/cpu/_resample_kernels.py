"""1-d resampling along the middle axis of x viewed as (A, In, B):
out[a, o, b] = sum_t wts[o, t] * x[a, idx[o, t], b].  Separable interpolation applies it
once per spatial dim; the backward scatters with the same taps."""
import numpy as np
from numba import njit

from . import _stand_ins
from ._parallel import twin_kernels


@njit(cache=True, error_model="numpy")
def _fwd_slab(x, idx, wts, out, a):
    B = x.shape[2]
    for o in range(idx.shape[0]):
        for b in range(B):
            out[a, o, b] = 0.0
        for t in range(idx.shape[1]):
            i = idx[o, t]
            w = wts[o, t]
            for b in range(B):
                out[a, o, b] += w * x[a, i, b]


def _make_resample_axis(loop):
    def resample_axis(x, idx, wts, out):
        for a in loop(x.shape[0]):
            _fwd_slab(x, idx, wts, out, np.int64(a))
    return resample_axis


resample_axis = twin_kernels(_make_resample_axis, _stand_ins.resample_axis)


@njit(cache=True, error_model="numpy")
def _bwd_slab(gy, idx, wts, gx, a):
    B = gy.shape[2]
    for o in range(idx.shape[0]):
        for t in range(idx.shape[1]):
            i = idx[o, t]
            w = wts[o, t]
            for b in range(B):
                gx[a, i, b] += w * gy[a, o, b]


def _make_resample_axis_backward(loop):
    def resample_axis_backward(gy, idx, wts, gx):
        # each slab a writes only gx[a]: no races
        for a in loop(gy.shape[0]):
            _bwd_slab(gy, idx, wts, gx, np.int64(a))
    return resample_axis_backward


resample_axis_backward = twin_kernels(_make_resample_axis_backward, _stand_ins.resample_axis_backward)
