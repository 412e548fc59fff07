"""``numbatorch.cuda``: whether a CUDA device can be used, and which (decided once, lazily: importing numbatorch
neither imports numba.cuda nor initialises the driver).

With ``NUMBA_ENABLE_CUDASIM=1`` Numba's CUDA simulator stands in for the device: it reports one device and runs
the ``backends.cuda`` kernels on host arrays.
"""
import functools
import importlib.util
import os


def _simulated():
    return os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


@functools.lru_cache(maxsize=None)
def is_available():
    """True when a CUDA device (or Numba's CUDA simulator) can run the CUDA backend."""
    # on a real device the backend's arrays are CuPy's: without CuPy (numbatorch[cuda]) there is no backend
    if not _simulated() and importlib.util.find_spec("cupy") is None:
        return False
    try:
        from numba import cuda
        return bool(cuda.is_available())
    except Exception:  # a broken driver or toolkit means no device, as in PyTorch
        return False


def device_count():
    """Number of CUDA devices (1 under the simulator, 0 without CUDA)."""
    if not is_available():
        return 0
    from numba import cuda
    return len(cuda.gpus)


def _index(device):
    """Device index of ``device`` (None, int, 'cuda', 'cuda:N' or a numbatorch.device) for this process."""
    if device is None:
        return current_device()
    if not isinstance(device, int):
        text = str(device)
        if not text.startswith("cuda"):
            raise ValueError(f"Expected a cuda device, but got: {text}")
        device = int(text.partition(":")[2] or current_device())
    if not 0 <= device < device_count():
        raise AssertionError("Invalid device id")
    return device


def current_device():
    """Index of the selected CUDA device."""
    if not is_available():
        _raise_unavailable()
    from numba import cuda
    if _simulated():
        return 0
    return cuda.get_current_device().id


def synchronize(device=None):
    """Wait for every kernel launched on ``device`` (default: the current one) to finish."""
    _index(device)
    from numba import cuda
    cuda.synchronize()


def get_device_name(device=None):
    """Name of a CUDA device (the simulator names itself)."""
    index = _index(device)
    if _simulated():
        return "Numba CUDA Simulator"
    from numba import cuda
    name = cuda.gpus[index].name
    return name.decode() if isinstance(name, bytes) else name


def manual_seed(seed):
    """Seeds nothing extra: numbatorch draws all random numbers from the CPU generator."""


manual_seed_all = manual_seed


def is_bf16_supported(including_emulation=True):
    """Always ``False``: numbatorch's CUDA arrays (CuPy) have no bfloat16 type (bfloat16 tensors live on the CPU)."""
    return False


def set_device(device):
    """Select the current CUDA device (an index, 'cuda:N' or a numbatorch.device); a negative index does nothing."""
    if isinstance(device, int) and device < 0:
        return
    index = _index(device)
    if not _simulated():
        from numba import cuda

        from .backends.cuda._array import xp
        xp.cuda.runtime.setDevice(index)
        cuda.select_device(index)


class device:
    """Context manager making ``device`` the current CUDA device inside the ``with`` block."""

    def __init__(self, device):
        self.index = -1 if device is None else _index(device)
        self.previous = -1

    def __enter__(self):
        if self.index >= 0:
            self.previous = current_device()
            set_device(self.index)
        return self

    def __exit__(self, *exc_info):
        if self.index >= 0:
            set_device(self.previous)
        return False


def empty_cache():
    """Return the cached blocks of the device memory pool (CuPy's) to the driver; nothing under the simulator."""
    if is_available() and not _simulated():
        from .backends.cuda._array import xp
        xp.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None):
    """Bytes of device memory held by tensors on ``device``, from CuPy's memory pool (0 under the simulator,
    whose 'cuda' tensors are host memory)."""
    _index(device)
    if _simulated():
        return 0
    from .backends.cuda._array import xp
    return int(xp.get_default_memory_pool().used_bytes())


def memory_reserved(device=None):
    """Bytes of device memory the memory pool holds, used or cached (0 under the simulator)."""
    _index(device)
    if _simulated():
        return 0
    from .backends.cuda._array import xp
    return int(xp.get_default_memory_pool().total_bytes())


def _raise_unavailable():
    raise AssertionError("Torch not compiled with CUDA enabled")
