"""bfloat16 and float16 through kernels that take float32/float64 only (Numba has no bfloat16 type, and its
float16 support is partial).

PyTorch's CPU kernels for these half-precision types load each element as float, compute and accumulate in float
and round the result once. ``computes_in_float32`` does the same around a family module's function: its
half-precision Tensor arguments become float32 copies (differentiably, so gradients come back through the casts,
rounded to their dtypes), and its float32 results are rounded to the input's dtype.
"""
import functools
import inspect

from .. import _dtype as dt
from .._tensor import Tensor


def is_half_precision(value):
    """True for a bfloat16 or float16 Tensor."""
    if not isinstance(value, Tensor):
        return False
    d = value._data.dtype
    # itemsize and kind first: dtype.name builds a string on each call, and this runs before every decorated op
    return d.itemsize == 2 and (d.kind == "f" or (d.kind == "V" and d.name == "bfloat16"))


def _first_tensor(args, kwargs):
    for value in args:
        if isinstance(value, Tensor):
            return value
    for value in kwargs.values():
        if isinstance(value, Tensor):
            return value
    return None


def _widened(value):
    return value.to(dt.float32) if is_half_precision(value) else value


def _rounded(value, dtype):
    if isinstance(value, Tensor):
        return value.to(dtype) if value.dtype is dt.float32 else value
    if isinstance(value, tuple):
        items = [_rounded(v, dtype) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def computes_in_float32(fn=None, *, updates=(), same_dtype=()):
    """Decorator: when ``fn``'s first Tensor argument is bfloat16 or float16, run ``fn`` on float32 copies of its
    half-precision Tensor arguments and round its float32 results to that first argument's dtype.

    A ``dtype=`` keyword argument names the result's dtype: results are then left as ``fn`` returns them.

    ``updates`` names the arguments ``fn`` changes in place (batch norm's running statistics): their new
    float32 values are rounded back into the originals. ``same_dtype`` names the Tensor arguments that must have
    the input's dtype (a convolution's weight and bias): when one does not, ``fn`` runs on the arguments as
    given, so that its own check raises instead of the float32 copies matching.
    """
    if fn is None:
        return functools.partial(computes_in_float32, updates=updates, same_dtype=same_dtype)
    signature = inspect.signature(fn) if updates or same_dtype else None

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if args and type(args[0]) is Tensor and args[0]._data.dtype.itemsize != 2:  # the common call, tested inline
            return fn(*args, **kwargs)
        first = _first_tensor(args, kwargs)
        if not is_half_precision(first):
            return fn(*args, **kwargs)
        if same_dtype:
            given = signature.bind(*args, **kwargs).arguments
            if any(isinstance(given.get(name), Tensor) and given[name].dtype is not first.dtype
                   for name in same_dtype):
                return fn(*args, **kwargs)
        wide_args = [_widened(v) for v in args]
        wide_kwargs = {k: _widened(v) for k, v in kwargs.items()}
        out = fn(*wide_args, **wide_kwargs)
        if updates:
            originals = signature.bind(*args, **kwargs).arguments
            copies = signature.bind(*wide_args, **wide_kwargs).arguments
            for name in updates:
                original, copy = originals.get(name), copies.get(name)
                if is_half_precision(original) and copy._version_counter[0]:
                    original._data[...] = copy._data.astype(original._data.dtype)
                    original._version_counter[0] += 1
        return out if kwargs.get("dtype") is not None else _rounded(out, first.dtype)
    return wrapper
