"""bfloat16 through kernels that take float32/float64 only (Numba has no bfloat16 type).

PyTorch's CPU bfloat16 kernels load each element as float, compute and accumulate in float and round the result
once. ``computes_in_float32`` does the same around a family module's function: its bfloat16 Tensor arguments
become float32 copies (differentiably, so gradients come back through the casts rounded to bfloat16), and its
float32 results are rounded to bfloat16.
"""
import functools
import inspect

from .. import _dtype as dt
from .._tensor import Tensor


def is_bfloat16(value):
    """True for a bfloat16 Tensor."""
    # dtype.kind first: dtype.name builds a string on each call, and this runs before every decorated op
    return isinstance(value, Tensor) and value._data.dtype.kind == "V" and value._data.dtype.name == "bfloat16"


def _first_tensor(args, kwargs):
    for value in args:
        if isinstance(value, Tensor):
            return value
    for value in kwargs.values():
        if isinstance(value, Tensor):
            return value
    return None


def _widened(value):
    return value.to(dt.float32) if is_bfloat16(value) else value


def _rounded(value):
    if isinstance(value, Tensor):
        return value.to(dt.bfloat16) if value.dtype is dt.float32 else value
    if isinstance(value, tuple):
        items = [_rounded(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def computes_in_float32(fn=None, *, updates=(), same_dtype=()):
    """Decorator: when ``fn``'s first Tensor argument is bfloat16, run ``fn`` on float32 copies of its bfloat16
    Tensor arguments and round its float32 results to bfloat16.

    A ``dtype=`` keyword argument names the result's dtype: results are then left as ``fn`` returns them.

    ``updates`` names the arguments ``fn`` changes in place (batch norm's running statistics): their new
    float32 values are rounded back into the bfloat16 originals. ``same_dtype`` names the Tensor arguments that must
    have the input's dtype (a convolution's weight and bias): when one does not, ``fn`` runs on the arguments as
    given, so that its own check raises instead of the float32 copies matching.
    """
    if fn is None:
        return functools.partial(computes_in_float32, updates=updates, same_dtype=same_dtype)
    signature = inspect.signature(fn) if updates or same_dtype else None

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not is_bfloat16(_first_tensor(args, kwargs)):
            return fn(*args, **kwargs)
        if same_dtype:
            given = signature.bind(*args, **kwargs).arguments
            if any(isinstance(given.get(name), Tensor) and not is_bfloat16(given[name]) for name in same_dtype):
                return fn(*args, **kwargs)
        wide_args = [_widened(v) for v in args]
        wide_kwargs = {k: _widened(v) for k, v in kwargs.items()}
        out = fn(*wide_args, **wide_kwargs)
        if updates:
            originals = signature.bind(*args, **kwargs).arguments
            copies = signature.bind(*wide_args, **wide_kwargs).arguments
            for name in updates:
                original, copy = originals.get(name), copies.get(name)
                if is_bfloat16(original) and copy._version[0]:
                    original._data[...] = copy._data.astype(original._data.dtype)
                    original._version[0] += 1
        return out if kwargs.get("dtype") is not None else _rounded(out)
    return wrapper
