"""1-d resampling along the middle axis of x viewed as (A, In, B):
out[a, o, b] = sum_t wts[o, t] * x[a, idx[o, t], b].  Separable interpolation applies it
once per spatial dim; the backward scatters with the same taps."""
from numba import njit, prange


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


@njit(cache=True, error_model="numpy")
def resample_axis_serial(x, idx, wts, out):
    for a in range(x.shape[0]):
        _fwd_slab(x, idx, wts, out, a)


@njit(parallel=True, cache=True, error_model="numpy")
def resample_axis_parallel(x, idx, wts, out):
    for a in prange(x.shape[0]):
        _fwd_slab(x, idx, wts, out, a)


@njit(cache=True, error_model="numpy")
def _bwd_slab(gy, idx, wts, gx, a):
    B = gy.shape[2]
    for o in range(idx.shape[0]):
        for t in range(idx.shape[1]):
            i = idx[o, t]
            w = wts[o, t]
            for b in range(B):
                gx[a, i, b] += w * gy[a, o, b]


@njit(cache=True, error_model="numpy")
def resample_axis_backward_serial(gy, idx, wts, gx):
    for a in range(gy.shape[0]):
        _bwd_slab(gy, idx, wts, gx, a)


@njit(parallel=True, cache=True, error_model="numpy")
def resample_axis_backward_parallel(gy, idx, wts, gx):
    # each slab a writes only gx[a]: no races
    for a in prange(gy.shape[0]):
        _bwd_slab(gy, idx, wts, gx, a)
