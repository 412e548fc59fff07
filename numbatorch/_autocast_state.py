"""The autocast state PyTorch keeps per device type, and its ``torch.*`` queries and setters
(``is_autocast_enabled``, ``get_autocast_dtype``, ``set_autocast_cpu_enabled``, the cache and nesting counters).

``autocast`` records itself here on entry and restores the previous state on exit, so code that asks whether it
runs under autocast gets PyTorch's answers, although numbatorch computes in the inputs' dtypes either way.
"""
import warnings

from . import _dtype as dt
from ._device import device as _device

__all__ = ["autocast_decrement_nesting", "autocast_increment_nesting", "clear_autocast_cache",
           "get_autocast_cpu_dtype", "get_autocast_dtype", "get_autocast_gpu_dtype", "get_autocast_ipu_dtype",
           "get_autocast_xla_dtype", "is_autocast_cache_enabled", "is_autocast_cpu_enabled", "is_autocast_enabled",
           "is_autocast_ipu_enabled", "is_autocast_xla_enabled", "set_autocast_cache_enabled",
           "set_autocast_cpu_dtype", "set_autocast_cpu_enabled", "set_autocast_dtype", "set_autocast_enabled",
           "set_autocast_gpu_dtype", "set_autocast_ipu_dtype", "set_autocast_ipu_enabled", "set_autocast_xla_dtype",
           "set_autocast_xla_enabled"]

# PyTorch's default lower-precision dtype per device type (float16 elsewhere).
_BFLOAT16_DEVICES = ("cpu", "xla", "hpu")
_enabled = {}
_dtypes = {}
_state = {"cache_enabled": True, "nesting": 0}


def _device_type(device_type):
    if not isinstance(device_type, str):
        raise TypeError(f"device_type must be str, not {type(device_type).__name__}")
    return _device(device_type).type


def _check_bool(enabled):
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 1) must be bool, not "
                        f"{type(enabled).__name__}")
    return enabled


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for ``device_type`` (CUDA when not given, as PyTorch's deprecated form)."""
    return _enabled.get("cuda" if device_type is None else _device_type(device_type), False)


def set_autocast_enabled(device_type, enabled=None):
    """Turn autocast on or off for ``device_type``; ``set_autocast_enabled(enabled)`` alone means CUDA."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    _enabled[_device_type(device_type)] = _check_bool(enabled)


def get_autocast_dtype(device_type):
    """The dtype autocast would compute in on ``device_type`` (bfloat16 on the CPU, float16 on CUDA)."""
    kind = _device_type(device_type)
    return _dtypes.get(kind, dt.bfloat16 if kind in _BFLOAT16_DEVICES else dt.float16)


def set_autocast_dtype(device_type, dtype):
    """Set the dtype ``get_autocast_dtype(device_type)`` returns."""
    _dtypes[_device_type(device_type)] = dtype


def _deprecated(name, kind, replacement, arg, act):
    def form(*args):
        warnings.warn(f"torch.{name}({arg}) is deprecated. Please use torch.{replacement}('{kind}'"
                      f"{', ' + arg if arg else ''}) instead.", DeprecationWarning, stacklevel=2)
        return act(kind, *args)
    form.__name__ = form.__qualname__ = name
    form.__doc__ = f"Deprecated form of ``{replacement}('{kind}'{', ' + arg if arg else ''})``."
    return form


def _device_forms(kind, label):
    """The deprecated per-device forms of PyTorch (``is_autocast_cpu_enabled``, ...) for one device type."""
    return (_deprecated(f"is_autocast_{label}_enabled", kind, "is_autocast_enabled", "", is_autocast_enabled),
            _deprecated(f"set_autocast_{label}_enabled", kind, "set_autocast_enabled", "enabled",
                        set_autocast_enabled),
            _deprecated(f"get_autocast_{label}_dtype", kind, "get_autocast_dtype", "", get_autocast_dtype),
            _deprecated(f"set_autocast_{label}_dtype", kind, "set_autocast_dtype", "dtype", set_autocast_dtype))


is_autocast_cpu_enabled, set_autocast_cpu_enabled, get_autocast_cpu_dtype, set_autocast_cpu_dtype = \
    _device_forms("cpu", "cpu")
is_autocast_ipu_enabled, set_autocast_ipu_enabled, get_autocast_ipu_dtype, set_autocast_ipu_dtype = \
    _device_forms("ipu", "ipu")
is_autocast_xla_enabled, set_autocast_xla_enabled, get_autocast_xla_dtype, set_autocast_xla_dtype = \
    _device_forms("xla", "xla")
_, _, get_autocast_gpu_dtype, set_autocast_gpu_dtype = _device_forms("cuda", "gpu")


def is_autocast_cache_enabled():
    """Whether autocast caches lower-precision copies of weights (recorded only: nothing is cast here)."""
    return _state["cache_enabled"]


def set_autocast_cache_enabled(enabled):
    """Set what ``is_autocast_cache_enabled`` returns."""
    _state["cache_enabled"] = bool(enabled)


def clear_autocast_cache():
    """Drop autocast's cached casts: there are none."""


def autocast_increment_nesting():
    """Count one more entered autocast region; returns the new depth."""
    _state["nesting"] += 1
    return _state["nesting"]


def autocast_decrement_nesting():
    """Count one autocast region less; returns the new depth."""
    _state["nesting"] -= 1
    return _state["nesting"]
