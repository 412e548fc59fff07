"""The array library of the CUDA backend and the kernel launch shape, decided once at import.

On a real GPU, with CuPy installed, arrays are CuPy device arrays: numba.cuda kernels take them zero-copy
through ``__cuda_array_interface__`` and every GEMM or reduction around the kernels is CuPy's. Under Numba's
CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) there is no device memory: arrays are numpy arrays, which the
simulated kernels read and write in place, marked as device memory by ``SimulatedDeviceArray``.
"""
import os

import numpy as np
from numba import cuda

from ._simulated import SimulatedDeviceArray, _on_device

SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"

if SIMULATOR:
    import numpy as xp
else:
    from ..._optional import import_optional

    xp = import_optional("cupy", "cuda", "the CUDA backend")

# Threads per block. The simulator runs every thread as a Python thread, so it gets few of them and the
# grid-stride loops do the rest; on a GPU 256 threads per block keep the multiprocessors busy.
THREADS = 16 if SIMULATOR else 256
# Blocks of a launch are capped: grid-stride loops cover any remaining elements.
MAX_BLOCKS = 2 if SIMULATOR else 4096


def launch(kernel, work):
    """``kernel`` configured for ``work`` independent items (one thread each, grid-stride beyond the grid)."""
    blocks = max(1, min(MAX_BLOCKS, -(-int(work) // THREADS)))
    return kernel[blocks, THREADS]


def read_only(a):
    """Mark a kernel argument the kernel only reads. The simulator otherwise copies every numpy argument back
    after the launch, which fails on read-only broadcast views; device arrays need no mark."""
    return cuda.In(a) if SIMULATOR else a


def to_device(a, index=0):
    """A copy of array ``a`` (host or device) in the memory of CUDA device ``index``."""
    if SIMULATOR:
        return np.array(a, copy=True).view(SimulatedDeviceArray)
    with xp.cuda.Device(index):
        return xp.array(a, copy=True)


def to_host(a):
    """A numpy copy of device array ``a``."""
    if SIMULATOR:
        return np.array(a.view(np.ndarray), copy=True)
    return xp.asnumpy(a)


def as_device_result(result):
    """Kernel results (arrays, possibly in tuples) as device arrays: under the simulator, marked ones."""
    return _on_device(result) if SIMULATOR else result
