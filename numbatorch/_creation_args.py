"""The argument handling every tensor factory shares: sizes, dtypes, devices, layouts and ``out=``."""
import builtins
import operator

import numpy as np

from . import _dtype as dt
from . import _device
from ._device import CPU, move, resolve
from ._layout import check_layout
from ._tensor import Tensor
from .autograd import grad_mode


def _finish(arr, requires_grad=False, out=None, fname="", device=None):
    """The factory's result: a new tensor (on ``device``, a resolved device; None: the CPU), or ``out``
    overwritten (and resized) with ``arr``."""
    if out is not None:
        return _write_out(arr, out, fname)
    if device is not None:
        arr = move(arr, device)
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _write_out(arr, out, fname):
    if not isinstance(out, Tensor):
        raise TypeError(f"{fname}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if out._requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"aten::{fname}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape == arr.shape:
        np.copyto(out._data, arr, casting="unsafe")
    else:  # PyTorch resizes ``out`` to the result's shape.
        out._data = arr.astype(out._data.dtype)
    out._version_counter[0] += 1
    return out


def _check_device(device):
    """The device a factory creates on: None for the CPU, else the resolved device (PyTorch's errors when this
    process cannot use it; a misspelt device such as "gpu" gets PyTorch's list of device types)."""
    if device is None:
        return _device.factory_default
    dev = resolve(device)
    return None if dev is CPU else dev


def _device_of(tensor):
    """The device a result drawn on the host for ``tensor`` goes to (None: the CPU), as ``_finish`` takes it."""
    return None if type(tensor._data) is np.ndarray else tensor.device


def _check_options(fname, device, layout):
    check_layout(layout, fname)
    return _check_device(device)


def _scalar_name(d):
    """PyTorch's scalar-type name of dtype ``d`` in kernel messages: ``Long``, ``Float``, ``Bool`` ..."""
    return dt.LEGACY_NAME[d][len("torch."):-len("Tensor")]


def _resolve_dtype(dtype, out, default):
    """The result dtype: ``dtype``, else ``out``'s, else ``default``; ``dtype`` must agree with ``out``."""
    dtype = dt.as_dtype(dtype)
    if out is not None and isinstance(out, Tensor):
        if dtype is not None and dtype is not out.dtype:
            raise RuntimeError(f"dtype {_scalar_name(dtype)} does not match dtype of out parameter "
                               f"({_scalar_name(out.dtype)})")
        return out.dtype
    return dtype or (default() if callable(default) else default)


def _require_float(dtype, kernel):
    """Random float factories refuse integer dtypes with PyTorch's kernel-dispatch error."""
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(dtype)}\'')


def _is_int_like(value):
    return not isinstance(value, (builtins.bool, np.bool_)) and hasattr(type(value), "__index__")


def _size(fname, sizes, size, pos=1):
    """The shape from ``f(*sizes)`` or ``f(size=...)``; PyTorch's errors for non-integers and negatives."""
    if size is not None:
        if sizes:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        sizes = (size,)
    in_sequence = len(sizes) == 1 and isinstance(sizes[0], (tuple, list))
    seq = sizes[0] if in_sequence else sizes
    dims = []
    for i, s in enumerate(seq):
        if not _is_int_like(s):
            kind = type(s).__name__
            if in_sequence:
                raise TypeError(f"{fname}(): argument 'size' (position {pos}) must be tuple of ints, but found element "
                                f"of type {kind} at pos {i}")
            raise TypeError(f"{fname}(): argument 'size' (position {i + 1}) must be tuple of ints, not {kind}")
        dims.append(operator.index(s))
    for d in dims:
        if d < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: {dims}")
    return tuple(dims)


def _int_arg(fname, name, pos, value):
    if not _is_int_like(value):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not {type(value).__name__}")
    return operator.index(value)


def _number(value):
    """A Python number from a number or a one-element tensor (``arange(torch.tensor(3))``)."""
    return value.item() if isinstance(value, Tensor) else value


def _dtype_or_default(dtype):
    return dt.as_dtype(dtype) or dt.get_default_dtype()


def _number_for(value, dtype):
    """A Python number as PyTorch converts it to ``dtype``: c10's conversion of a number to BFloat16 makes every
    NaN 0x7FC0, so a bfloat16 NaN made from a Python number is positive (numpy's keeps the sign)."""
    if dtype is dt.bfloat16 and value != value:
        return abs(value)
    return value
