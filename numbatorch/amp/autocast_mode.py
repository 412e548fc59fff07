"""``autocast``: a context manager and decorator that PyTorch uses to run ops in lower precision.

numbatorch computes in the dtype of the inputs (float32 by default) inside and outside ``autocast``: on the
CPU lower precision buys nothing with numpy kernels, so the region runs exactly as without it. Arguments
are checked as PyTorch checks them, and a CUDA autocast without CUDA is disabled with PyTorch's warning.
"""
import functools
import warnings

from .. import _autocast_state as state
from .. import cuda
from .._device import device as _device

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]


def is_autocast_available(device_type):
    """Whether ``autocast`` accepts ``device_type`` on this machine."""
    return device_type == "cpu" or (device_type == "cuda" and cuda.is_available())


class autocast:
    """``with autocast(device_type, dtype=None, enabled=True, cache_enabled=None):`` (also a decorator)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device(device_type).type
        self.fast_dtype = dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled and self.device == "cuda" and not cuda.is_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        self._enabled = enabled

    def __enter__(self):
        # Recorded as PyTorch records it, so torch.is_autocast_enabled() and friends answer inside the region.
        self._prev = (state.is_autocast_enabled(self.device), state.get_autocast_dtype(self.device),
                      state.is_autocast_cache_enabled())
        state.set_autocast_enabled(self.device, bool(self._enabled))
        if self.fast_dtype is not None:
            state.set_autocast_dtype(self.device, self.fast_dtype)
        state.set_autocast_cache_enabled(self._cache_enabled)
        state.autocast_increment_nesting()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if state.autocast_decrement_nesting() == 0:
            state.clear_autocast_cache()
        enabled, dtype, cache_enabled = self._prev
        state.set_autocast_enabled(self.device, enabled)
        state.set_autocast_dtype(self.device, dtype)
        state.set_autocast_cache_enabled(cache_enabled)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom ``Function.forward`` under autocast; returns it unchanged (no casting happens)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom ``Function.backward`` under autocast; returns it unchanged."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
