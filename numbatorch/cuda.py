"""``numbatorch.cuda``: whether a CUDA device can be used (decided once, lazily, without touching the driver early)."""
import functools
import os


@functools.lru_cache(maxsize=None)
def is_available():
    # Importing numba.cuda initialises nothing until asked; the simulator always claims a device, so it
    # does not count as one.
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return False
    try:
        from numba import cuda
        return bool(cuda.is_available())
    except Exception:
        return False


def device_count():
    if not is_available():
        return 0
    from numba import cuda
    return len(cuda.gpus)


def manual_seed(seed):
    """Seeds nothing extra: numbatorch draws all random numbers from the CPU generator."""


manual_seed_all = manual_seed


def _raise_unavailable():
    raise AssertionError("Torch not compiled with CUDA enabled: numbatorch tensors live on the CPU in this build")
