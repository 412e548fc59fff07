"""Argument normalisation shared by the conv/pool/resample wrappers (pure Python)."""
import numpy as np


def ntuple(value, n, name="argument"):
    """Expand an int (or 1-sequence) to an n-tuple of ints, like torch's _ntuple."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(value)}")
    return value


def to3d(values, fill):
    """Left-pad a per-spatial-dim tuple to 3 entries (1-d/2-d run on the 3-d kernels)."""
    return (fill,) * (3 - len(values)) + tuple(values)


def as5d(x, nd):
    """View an (N, C, *spatial[nd]) array as (N, C, D, H, W) with leading unit dims."""
    return x.reshape(x.shape[:2] + (1,) * (3 - nd) + x.shape[2:])


def fmt_size(shape, sep=", "):
    return sep.join(str(int(s)) for s in shape)


DTYPE_NAMES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double",
               np.dtype(np.float16): "c10::Half"}


def dtype_name(dt):
    return DTYPE_NAMES.get(np.dtype(dt), str(np.dtype(dt)))


def check_float(x, what="input"):
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"expected {what} to have a floating dtype (float32 or float64), got {x.dtype}")
