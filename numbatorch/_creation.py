"""Tensor factories: tensor, as_tensor, from_numpy, zeros, ones, arange, … and their ``*_like``.

Signatures follow PyTorch's: sizes as ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``, and the keywords
``out``, ``dtype``, ``layout``, ``device``, ``requires_grad``, ``pin_memory``, ``generator`` (handled in
``_creation_args.py``). The random factories are in ``_creation_random.py``, re-exported here.
"""
import builtins
import math
import operator
import warnings

import numpy as np

from . import _dtype as dt
from ._creation_args import (_check_device, _check_options, _dtype_or_default, _finish, _int_arg, _number,
                             _number_for, _resolve_dtype, _scalar_name, _size)
from ._creation_random import (bernoulli, binomial, multinomial, normal, poisson, rand, rand_like,  # noqa: F401
                               randint, randint_like, randn, randn_like, randperm)
from ._device import move
from ._tensor import Tensor


def _infer_array(data):
    """ndarray for Python data with PyTorch's dtype inference (floats -> default dtype, ints -> int64)."""
    if isinstance(data, Tensor):
        return data.numpy(force=True)
    if isinstance(data, np.ndarray):
        if data.dtype.kind in "USO":
            raise TypeError(f"can't convert np.ndarray of type numpy.{data.dtype}. The only supported types are: "
                            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    inferred = _infer_dtype(data)
    try:
        return np.array(data, dtype=inferred.np)
    except (ValueError, TypeError) as e:
        raise ValueError(f"expected sequence of equal-length lists: {e}") from None


def _infer_dtype(data):
    """Promote the dtypes of all leaves: bools, ints (int64), Python floats (default dtype), numpy values, Tensors."""
    if isinstance(data, (np.ndarray, np.generic)):  # first: np.float64 is also a Python float
        return dt.from_numpy_dtype(data.dtype)
    if isinstance(data, builtins.bool):
        return dt.bool_
    if isinstance(data, builtins.int):
        return dt.int64
    if isinstance(data, builtins.float):
        return dt.get_default_dtype()
    if isinstance(data, builtins.complex):
        return dt.default_complex_dtype()
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (list, tuple)):
        result = None
        for item in data:
            d = _infer_dtype(item)
            result = d if result is None else dt.promote_types(result, d)
        return result or dt.get_default_dtype()
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data``."""
    dev = _check_device(device)
    dtype = dt.as_dtype(dtype)
    if dtype is not None and isinstance(data, (list, tuple, builtins.int, builtins.float, builtins.bool)):
        # Convert straight to the requested dtype: going through the default dtype would round float64 data.
        arr = np.array(data, dtype=dt.conversion_dtype(dtype))
        if dtype is dt.bfloat16:
            arr[np.isnan(arr)] = np.nan  # positive, as c10 converts numbers to BFloat16 (_number_for)
        return _finish(arr.astype(dtype.np, copy=False), requires_grad, device=dev)
    if isinstance(data, Tensor) and dev is None:
        dev = _check_device(data.device)  # a copy of a tensor stays on its device
    arr = _infer_array(data)
    arr = np.array(arr, dtype=None if dtype is None else dtype.np, copy=True)
    return _finish(arr, requires_grad, device=dev)


def as_tensor(data, *, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a numpy array or tensor when no conversion is needed."""
    dev = _check_device(device)
    dtype = dt.as_dtype(dtype)
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device)
    if dtype is not None and isinstance(data, (list, tuple, builtins.int, builtins.float, builtins.bool)):
        return tensor(data, dtype=dtype, device=device)  # a copy either way, converted straight to dtype
    arr = _infer_array(data)
    if dtype is not None:
        arr = arr.astype(dtype.np, copy=False)
    return Tensor._make(arr if dev is None else move(arr, dev))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor, sharing its memory when possible.

    ``copy=None`` shares when it can, ``copy=True`` always copies, ``copy=False`` raises when a copy is needed.
    """
    shared = as_tensor(obj, dtype=dtype, device=device)
    source = obj._data if isinstance(obj, Tensor) else obj
    is_shared = isinstance(source, np.ndarray) and np.shares_memory(shared._data, source)
    if copy is False and not is_shared:
        raise ValueError("can't alias tensor from the given object: a copy is needed")
    if copy:
        shared = Tensor._make(shared._data.copy())
    elif requires_grad and isinstance(obj, Tensor) and shared is obj:
        shared = obj.detach()
    if requires_grad:
        shared.requires_grad_(True)
    return shared


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor viewing the bytes of ``buffer`` (any object with the buffer protocol) as ``dtype`` elements."""
    np_dtype = dt.as_dtype(dtype).np
    length = memoryview(buffer).nbytes
    if count > 0 and count * np_dtype.itemsize > length - offset:
        raise ValueError(f"requested buffer length ({count} * {np_dtype.itemsize} bytes) after offset ({offset} bytes) "
                         f"must not be greater than actual buffer length ({length} bytes)")
    if count <= 0 and (length - offset) % np_dtype.itemsize:
        raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a multiple of "
                         f"element size ({np_dtype.itemsize})")
    arr = np.frombuffer(buffer, dtype=np_dtype, count=count, offset=offset)
    if not arr.flags.writeable:
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                      "means you can write to the underlying (supposedly non-writable) buffer using the tensor. You "
                      "may want to copy the buffer to protect its data or make it writable before converting it to a "
                      "tensor. This type of warning will be suppressed for the rest of this program.", UserWarning,
                      stacklevel=2)
    return _finish(arr, requires_grad)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dt.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _constant_factory(name, np_fill, doc):
    def factory(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
                pin_memory=False, memory_format=None):
        dev = _check_options(name, device, layout)
        shape = _size(name, sizes, size)
        arr = np_fill(shape, _resolve_dtype(dtype, out, dt.get_default_dtype).np)
        return _finish(arr, requires_grad, out, name, device=dev)
    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = doc
    return factory


zeros = _constant_factory("zeros", np.zeros, "A tensor of zeros of the given size (``zeros(2, 3)``, "
                                             "``zeros((2, 3))`` or ``zeros(size=(2, 3))``).")
ones = _constant_factory("ones", np.ones, "A tensor of ones of the given size.")
empty = _constant_factory("empty", np.empty, "An uninitialised tensor of the given size.")


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` whose elements are ``stride`` elements apart along each dim."""
    dev = _check_options("empty_strided", device, layout)
    shape = _size("empty_strided", (size,), None)
    stride = tuple(operator.index(s) for s in stride)
    if len(stride) != len(shape):
        raise RuntimeError(f"mismatch in length of strides and shape: size {list(shape)}, stride {list(stride)}")
    np_dtype = _dtype_or_default(dtype).np
    extent = 0 if 0 in shape else 1 + builtins.sum((n - 1) * s for n, s in zip(shape, stride))
    buf = np.empty(extent, np_dtype)
    arr = np.lib.stride_tricks.as_strided(buf, shape, tuple(s * buf.itemsize for s in stride))
    return _finish(arr, requires_grad, device=dev)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it when not given)."""
    dev = _check_options("full", device, layout)
    if isinstance(fill_value, Tensor):
        if fill_value.dim() != 0:
            raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not Tensor")
        fill_value = fill_value.item()
    shape = _size("full", (size,), None)
    dtype = _resolve_dtype(dtype, out, lambda: dt.result_type(fill_value))
    return _finish(np.full(shape, _number_for(fill_value, dtype), dtype.np), requires_grad, out, "full", device=dev)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor holding number ``s`` (default dtype unless ``dtype`` is given)."""
    dev = _check_options("scalar_tensor", device, layout)
    dtype = _dtype_or_default(dtype)
    return _finish(np.array(_number_for(_number(s), dtype), dtype=dtype.np), requires_grad, device=dev)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 2-D tensor with ones on the diagonal (``n`` x ``m``, square when ``m`` is None)."""
    dev = _check_options("eye", device, layout)
    n = _int_arg("eye", "n", 1, n)
    m = n if m is None else _int_arg("eye", "m", 2, m)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, m, dtype=_resolve_dtype(dtype, out, dt.get_default_dtype).np), requires_grad, out,
                   "eye", device=dev)


def _range_values(start, end, step):
    start, end, step = (_number(v) for v in (start, end, step))
    for v in (start, end):
        if isinstance(v, builtins.float) and not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return start, end, step


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` (default 0) up to but excluding ``end``, ``step`` apart."""
    dev = _check_options("arange", device, layout)
    if end is None:
        if start is None:
            raise TypeError("arange() missing required argument 'end'")
        start, end = 0, start
    elif start is None:
        start = 0
    start, end, step = _range_values(start, end, step)
    floating = any(isinstance(v, builtins.float) for v in (start, end, step))
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype() if floating else dt.int64)
    # PyTorch computes the length in double precision, then fills start + i * step.
    n = max(math.ceil((end - start) / step), 0)
    arr = (start + np.arange(n, dtype=np.float64) * step) if dtype.is_floating_point \
        else np.arange(start, end, step)
    return _finish(arr.astype(dtype.np), requires_grad, out, "arange", device=dev)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: like ``arange`` but includes ``end``; always of a floating dtype by default."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    dev = _check_options("range", device, layout)
    if end is None:
        raise TypeError("range() missing required argument 'end'")
    start, end, step = _range_values(start, end, step)
    n = int(math.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(arr.astype(_resolve_dtype(dtype, out, dt.get_default_dtype).np), requires_grad, out, "range",
                   device=dev)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    dev = _check_options("linspace", device, layout)
    steps = _int_arg("linspace", "steps", 3, steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.linspace(builtins.float(_number(start)), builtins.float(_number(end)), steps)
    return _finish(arr.astype(_resolve_dtype(dtype, out, dt.get_default_dtype).np), requires_grad, out,
                   "linspace", device=dev)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base`` raised to ``steps`` evenly spaced exponents from ``start`` to ``end``."""
    dev = _check_options("logspace", device, layout)
    steps = _int_arg("logspace", "steps", 3, steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.logspace(builtins.float(_number(start)), builtins.float(_number(end)), steps, base=base)
    return _finish(arr.astype(_resolve_dtype(dtype, out, dt.get_default_dtype).np), requires_grad, out,
                   "logspace", device=dev)


def _triangle_indices(fname, np_fn, row, col, offset, dtype, device, layout):
    dev = _check_options(fname, device, layout)
    row, col = _int_arg(fname, "row", 1, row), _int_arg(fname, "col", 2, col)
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dtype = dt.as_dtype(dtype) or dt.int64
    if dtype._category != 1:
        raise NotImplementedError(f'"{fname}" not implemented for \'{_scalar_name(dtype)}\'')
    return _finish(np.stack(np_fn(row, offset, col)).astype(dtype.np), device=dev)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N indices (rows, then columns) of the lower triangle of a ``row`` x ``col`` matrix."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device, layout)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N indices (rows, then columns) of the upper triangle of a ``row`` x ``col`` matrix."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device, layout)


def _like_factory(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        return fn(input.shape, dtype=dtype or input.dtype, layout=layout,
                  device=input.device if device is None else device, requires_grad=requires_grad)
    like.__name__ = like.__qualname__ = fn.__name__ + "_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape (and by default the dtype) of ``input``."
    return like


zeros_like = _like_factory(zeros)
ones_like = _like_factory(ones)
empty_like = _like_factory(empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``full`` with the shape (and by default the dtype) of ``input``."""
    return full(input.shape, fill_value, dtype=dtype or input.dtype, layout=layout,
                device=input.device if device is None else device, requires_grad=requires_grad)
