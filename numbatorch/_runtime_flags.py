"""Process-wide switches and build queries of ``torch``: ``set_warn_always``, the deterministic debug mode,
``set_flush_denormal``, ``set_anomaly_enabled``, ``get_device_module``, ``thread_safe_generator`` and the
``has_*`` build flags."""
import importlib

from ._device import device as _device
from ._runtime import (are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
                       use_deterministic_algorithms)
from .autograd.anomaly_mode import set_detect_anomaly

__all__ = ["get_deterministic_debug_mode", "get_device_module", "has_lapack", "has_mkl", "has_openmp",
           "has_spectral", "init_num_threads", "is_distributed", "is_vulkan_available", "is_warn_always_enabled",
           "set_anomaly_enabled", "set_deterministic_debug_mode", "set_flush_denormal", "set_warn_always",
           "thread_safe_generator"]

# What this build computes with: LAPACK and FFTs through numpy; no MKL or OpenMP of its own.
has_lapack = True
has_spectral = True
has_mkl = False
has_openmp = False

_state = {"warn_always": False}
_DEBUG_MODES = ("default", "warn", "error")


def set_warn_always(b):
    """Record whether warnings PyTorch gives once per process should be given every time."""
    _state["warn_always"] = bool(b)


def is_warn_always_enabled():
    """Whether ``set_warn_always(True)`` is in effect."""
    return _state["warn_always"]


def set_deterministic_debug_mode(debug_mode):
    """``use_deterministic_algorithms`` by level: 0/"default" off, 1/"warn" warn only, 2/"error" on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                               f"but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif isinstance(debug_mode, int):
        if debug_mode not in (0, 1, 2):
            raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    else:
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    """The level ``set_deterministic_debug_mode`` set: 0 off, 1 warn only, 2 error."""
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def set_flush_denormal(mode):
    """Whether denormal floats could be flushed to zero: False, numpy's kernels keep IEEE denormals."""
    return False


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn autograd anomaly detection on or off (as ``autograd.set_detect_anomaly``)."""
    set_detect_anomaly(enabled, check_nan)


def is_vulkan_available():
    """False: numbatorch has no Vulkan backend."""
    return False


def init_num_threads():
    """Nothing to initialise: Numba's thread pool is per process and set by ``set_num_threads``."""


def is_distributed(input):
    """False: tensors are never distributed across devices here."""
    return False


def get_device_module(device=None):
    """The module of ``device``'s type (``torch.cuda``, ``torch.cpu``), the current accelerator's when None."""
    if isinstance(device, str):
        device = _device(device)
    if device is None:
        kind = "cuda" if importlib.import_module(".cuda", __package__).is_available() else "cpu"
    elif isinstance(device, _device):
        kind = device.type
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, or None")
    try:
        return importlib.import_module(f".{kind}", __package__)
    except ImportError:
        raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as "
                           f"'torch.{kind}'.") from None


def thread_safe_generator():
    """None: there is no DataLoader thread worker whose generator to return.

    numbatorch's workers are processes, whose random ops use the default generator, as PyTorch returns None
    outside thread workers."""
    return None
