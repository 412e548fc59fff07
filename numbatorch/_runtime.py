"""Process-wide settings PyTorch programs set at their top: thread counts, matmul precision, determinism,
the default device, and ``compile``.

``set_num_threads`` is Numba's thread count, which numbatorch's parallel kernels and convolution tiles use.
The matmul precision is stored and read back; numbatorch's float32 matmuls are always full precision (numpy's
BLAS), so every precision gives the same results.  Kernels are deterministic for a given thread count (parallel
sums are added in a fixed order); ``use_deterministic_algorithms(True)`` also makes the convolution's weight
gradient independent of the thread count.
"""
import warnings

import numba

__all__ = ["are_deterministic_algorithms_enabled", "compile", "get_default_device", "get_float32_matmul_precision",
           "get_num_interop_threads", "get_num_threads", "is_deterministic_algorithms_warn_only_enabled",
           "set_default_device", "set_float32_matmul_precision", "set_num_interop_threads", "set_num_threads",
           "use_deterministic_algorithms"]

_PRECISIONS = ("highest", "high", "medium")
_state = {"matmul_precision": "highest", "deterministic": False, "warn_only": False, "interop_threads": None}


def set_num_threads(int):
    """Use ``int`` threads for parallel kernels (capped at the number Numba started with)."""
    if int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    numba.set_num_threads(min(int, numba.config.NUMBA_NUM_THREADS))


def get_num_threads():
    """Number of threads parallel kernels use."""
    return numba.get_num_threads()


def set_num_interop_threads(int):
    """Store the inter-op thread count; numbatorch runs ops one after another, so it changes nothing."""
    if int <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    _state["interop_threads"] = int


def get_num_interop_threads():
    """The inter-op thread count set, or Numba's thread count by default."""
    return _state["interop_threads"] or numba.config.NUMBA_NUM_THREADS


def set_float32_matmul_precision(precision):
    """Store ``'highest'``, ``'high'`` or ``'medium'``; other values warn and change nothing, as in PyTorch."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    """The stored float32 matmul precision (``'highest'`` by default)."""
    return _state["matmul_precision"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Sets whether ops must use deterministic algorithms.

    Whether ops must be deterministic (``mode``): results then do not depend on the thread count either (the
    convolution's weight gradient is summed over the one-thread split of its tiles); ``warn_only`` is stored."""
    _state["deterministic"] = bool(mode)
    _state["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    """The flag set by ``use_deterministic_algorithms``."""
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    """The ``warn_only`` flag set by ``use_deterministic_algorithms``."""
    return _state["warn_only"]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False, **kwargs):
    """Return ``model`` unchanged (or, called without it, a decorator that does): numbatorch runs Python."""
    if model is None:
        return lambda fn: fn
    return model


def get_default_device():
    """The device factories create tensors on when given no ``device``."""
    from . import _device
    return _device.factory_default or _device.CPU


def set_default_device(device):
    """Set the device factories create tensors on when given no ``device`` (None: the CPU)."""
    from . import _device
    _device.set_factory_default(device)
