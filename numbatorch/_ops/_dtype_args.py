"""PyTorch's dtype rules for a layer's input against its parameters, with PyTorch's errors."""
import numpy as np

from .. import _dtype as dt
from .._creation import _scalar_name


def floating_or_default(input):
    """``input`` itself when floating, else converted to the default dtype (PyTorch's int -> float ops)."""
    return input if input.is_floating_point() else input.to(dt.get_default_dtype())


def scalar_name(dtype):
    """PyTorch's scalar-type name (``Float``, ``Double``, ``Long`` ...) of a numpy dtype."""
    return _scalar_name(dt.from_numpy_dtype(np.dtype(dtype)))


def require_floating(kernel, x):
    """NotImplementedError as PyTorch's dispatch raises it when ``kernel`` gets a non-floating array ``x``."""
    if x.dtype.kind != "f" and x.dtype.name != "bfloat16":  # bfloat16: see _half_precision.computes_in_float32
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_name(x.dtype)}\'')


def require_float_or_double(kernel, x):
    """NotImplementedError as PyTorch raises it for a kernel defined for float32 and float64 only, when array
    ``x`` is of a reduced-precision floating type (float16, bfloat16)."""
    if dt.is_floating(x.dtype) and x.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_name(x.dtype)}\'')


def check_mixed_dtype(x, *params):
    """PyTorch's CPU check of normalisation parameters (``None`` when absent) whose dtype differs from input x's:
    then each must be float32 and x of half precision (which may keep float32 parameters)."""
    defined = [p for p in params if p is not None]
    if all(p.dtype == x.dtype for p in defined):
        return
    if any(p.dtype != np.float32 for p in defined):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if x.dtype != np.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


# the C type names PyTorch's Scalar conversion errors print
_C_TYPE = {"int64": "int64_t", "int32": "int", "int16": "int16_t", "int8": "int8_t", "uint8": "uint8_t",
           "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t"}


def integer_scalar(value, dtype):
    """Python number ``value`` converted to integer numpy ``dtype`` as PyTorch converts a Scalar argument:
    floats truncate towards zero, negative ints wrap into unsigned types (down to minus their maximum), and
    anything else out of range raises PyTorch's RuntimeError."""
    dtype = np.dtype(dtype)
    info = np.iinfo(dtype)
    if isinstance(value, float):
        overflow = not info.min <= value <= info.max
    else:
        overflow = value > info.max or value < (-info.max if info.min == 0 else info.min)
    if overflow:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPE[dtype.name]} without overflow")
    return np.array(int(value)).astype(dtype)
