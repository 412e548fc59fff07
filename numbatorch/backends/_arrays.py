"""Array helpers that keep an array's kind (host numpy, the simulator's device arrays, CuPy's) where numpy's own
functions would hand back host memory."""
import numpy as np


def as_strided(buf, shape, strides):
    """A view of ``buf``'s memory with ``shape`` and byte ``strides``, of ``buf``'s own kind.

    numpy's ``as_strided`` keeps ndarray subclasses (the simulator's device arrays) with ``subok``, and a
    read-only ``buf`` gives a read-only view; any other array is a device array of the CUDA backend's array
    library (CuPy on a GPU), which has its own."""
    if isinstance(buf, np.ndarray):
        return np.lib.stride_tricks.as_strided(buf, shape, strides, subok=True)
    from .cuda._array import xp
    return xp.lib.stride_tricks.as_strided(buf, shape, strides)
