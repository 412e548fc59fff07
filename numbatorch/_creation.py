"""Tensor factories: tensor, as_tensor, from_numpy, zeros, ones, arange, rand, randn, … and their ``*_like``.

Signatures follow PyTorch's: sizes as ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``, and the keywords
``out``, ``dtype``, ``layout``, ``device``, ``requires_grad``, ``pin_memory``, ``generator``.
"""
import builtins
import math
import operator
import warnings

import numpy as np

from . import _dtype as dt
from . import _device
from ._device import CPU, move, resolve
from ._layout import check_layout
from ._random import numpy_generator
from ._tensor import Tensor, tensor_method
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
    out._version[0] += 1
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
        arr = np.array(data, dtype=dt.conversion_dtype(dtype)).astype(dtype.np, copy=False)
        return _finish(arr, requires_grad, device=dev)
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


def _dtype_or_default(dtype):
    return dt.as_dtype(dtype) or dt.get_default_dtype()


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
    return _finish(np.full(shape, fill_value, dtype.np), requires_grad, out, "full", device=dev)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor holding number ``s`` (default dtype unless ``dtype`` is given)."""
    dev = _check_options("scalar_tensor", device, layout)
    return _finish(np.array(_number(s), dtype=_dtype_or_default(dtype).np), requires_grad, device=dev)


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


# ---- random factories ---------------------------------------------------------------------------------
def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples from [0, 1) of the given size."""
    dev = _check_options("rand", device, layout)
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype)
    _require_float(dtype.to_real(), "check_uniform_bounds")
    shape = _size("rand", sizes, size)
    rng = numpy_generator(generator)
    arr = rng.random(shape, dtype=np.float64)
    if dtype.is_complex:  # real and imaginary parts each uniform on [0, 1), as in PyTorch
        arr = arr + 1j * rng.random(shape, dtype=np.float64)
    arr = arr.astype(dt.conversion_dtype(dtype)).astype(dtype.np, copy=False)
    return _finish(arr, requires_grad, out, "rand", device=dev)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples of the given size."""
    dev = _check_options("randn", device, layout)
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype)
    _require_float(dtype.to_real(), "normal_kernel_cpu")
    shape = _size("randn", sizes, size)
    rng = numpy_generator(generator)
    arr = rng.standard_normal(shape)
    if dtype.is_complex:  # unit variance in all: real and imaginary parts each N(0, 1/2), as in PyTorch
        arr = (arr + 1j * rng.standard_normal(shape)) * np.sqrt(0.5)
    arr = arr.astype(dt.conversion_dtype(dtype)).astype(dtype.np, copy=False)
    return _finish(arr, requires_grad, out, "randn", device=dev)


_C_TYPE_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short",
                 "int32": "int", "int64": "long"}


def _check_int_bounds(low, high, dtype):
    """``randint``'s bounds must fit an integer ``dtype`` (PyTorch's ``from``/``to - 1`` messages)."""
    if dtype.is_floating_point:
        return
    lo, hi = (0, 1) if dtype is dt.bool_ else (np.iinfo(dtype.np).min, np.iinfo(dtype.np).max)
    if low < lo or low > hi:
        raise RuntimeError(f"from is out of bounds for {_C_TYPE_NAMES[dtype.name]}")
    if high - 1 < lo or high - 1 > hi:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_TYPE_NAMES[dtype.name]}")


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers drawn uniformly from ``[low, high)``.

    Call it as ``randint(high, size)`` or ``randint(low, high, size)``, any of them by keyword
    (``randint(10, size=(1,))``).
    """
    dev = _check_options("randint", device, layout)
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    bounds = [_number(a) for a in args]
    if high is not None:
        bounds.append(_number(high))
    if low is not None:
        bounds.insert(0, _number(low))
    if size is None or not 1 <= len(bounds) <= 2:
        got = ", ".join(type(a).__name__ for a in [*args, *(x for x in (low, high, size) if x is not None)])
        raise TypeError(f"randint() received an invalid combination of arguments - got ({got}), but expected one "
                        "of:\n * (int high, tuple of ints size, *, torch.Generator generator, Tensor out, "
                        "torch.dtype dtype, torch.layout layout, torch.device device, bool requires_grad)\n"
                        " * (int low, int high, tuple of ints size, *, torch.Generator generator, Tensor out, "
                        "torch.dtype dtype, torch.layout layout, torch.device device, bool requires_grad)")
    if len(bounds) == 1:
        bounds.insert(0, 0)
    names = ("low", "high") if len(args) > 1 or low is not None else (None, "high")
    for name, value, pos in zip(names, bounds, (1, 2) if names[0] else (0, 1)):
        if name is not None:
            _int_arg("randint", name, pos, value)
    low, high = (operator.index(b) for b in bounds)
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dtype = _resolve_dtype(dtype, out, dt.int64)
    _check_int_bounds(low, high, dtype)
    shape = _size("randint", (size,), None, pos=len(args) + 1)
    arr = numpy_generator(generator).integers(low, high, shape, dtype=np.int64)
    return _finish(arr.astype(dtype.np), requires_grad, out, "randint", device=dev)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``rand`` with the shape (and by default the dtype) of ``input``."""
    return rand(input.shape, dtype=dtype or input.dtype, layout=layout,
                device=input.device if device is None else device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``randn`` with the shape (and by default the dtype) of ``input``."""
    return randn(input.shape, dtype=dtype or input.dtype, layout=layout,
                 device=input.device if device is None else device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """``randint`` with the shape (and by default the dtype) of ``input``; ``randint_like(x, high)`` too."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, layout=layout,
                   device=input.device if device is None else device, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Samples from N(mean, std); ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    dev = _check_device(device)
    rng = numpy_generator(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
        result_dtype = dt.result_type(*tensors)
        _require_float(result_dtype, "normal_kernel_cpu")
        m = mean.numpy(force=True) if isinstance(mean, Tensor) else mean
        s = std.numpy(force=True) if isinstance(std, Tensor) else std
        if dev is None:
            dev = _check_device(tensors[0].device)
        if np.any(np.asarray(s) < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            from ._ops._util import broadcast_error
            raise broadcast_error(np.shape(m), np.shape(s)) from None
        arr = (m + s * rng.standard_normal(shape)).astype(result_dtype.np)
        return _finish(arr, requires_grad, out, "normal", device=dev)
    if size is None:
        raise TypeError(f"normal() received an invalid combination of arguments - got ({type(mean).__name__}, "
                        f"{type(std).__name__}), but expected one of: (Tensor mean, Tensor std), (Tensor mean, "
                        "float std), (float mean, Tensor std), (float mean, float std, tuple of ints size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype)
    _require_float(dtype, "normal_kernel_cpu")
    arr = mean + std * rng.standard_normal(_size("normal", (size,), None))
    return _finish(arr.astype(dtype.np), requires_grad, out, "normal", device=dev)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of ``0 .. n-1``."""
    dev = _check_options("randperm", device, layout)
    n = _int_arg("randperm", "n", 1, n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = _resolve_dtype(dtype, out, dt.int64)
    if dtype is dt.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    arr = numpy_generator(generator).permutation(n).astype(dtype.np)
    return _finish(arr, requires_grad, out, "randperm", device=dev)


def poisson(input, generator=None):
    """Poisson draws with rates ``input`` (same shape and floating dtype)."""
    _require_float(input.dtype, "poisson_cpu")
    rates = input.numpy(force=True)
    if np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _finish(numpy_generator(generator).poisson(rates).astype(rates.dtype), device=_device_of(input))


def binomial(count, prob, generator=None):
    """Binomial draws: successes in ``count`` trials of probability ``prob`` (floating tensors, broadcast)."""
    _require_float(count.dtype, "binomial_cpu")
    draws = numpy_generator(generator).binomial(count.numpy(force=True).astype(np.int64), prob.numpy(force=True))
    return _finish(np.asarray(draws).astype(count._data.dtype), device=_device_of(count))


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probability ``input`` (or the constant ``p``), of ``input``'s shape and dtype."""
    probs = input.numpy(force=True) if p is None else np.full(input.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draws = numpy_generator(generator).random(input.shape) < probs
    return _finish(draws.astype(input._data.dtype), out=out, fname="bernoulli", device=_device_of(input))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled by the (unnormalised) weights of each row of ``input``."""
    w = input.numpy(force=True).astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = numpy_generator(generator)
    result = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative "
                               "category to sample)")
        result[i] = rng.choice(row.size, size=num_samples, replace=replacement, p=row / total)
    return _finish(result.reshape(w.shape[:-1] + (num_samples,)), out=out, fname="multinomial",
                   device=_device_of(input))


# ---- in-place random and fill methods ----------------------------------------------------------------
def _fill_inplace(self, values):
    """Overwrite ``self`` with constant ``values`` (the in-place random/fill ops; not differentiable)."""
    from ._ops._util import apply_inplace
    values = np.asarray(values).astype(self._data.dtype, copy=False)
    if type(self._data) is not np.ndarray:  # drawn on the host, like every random number of numbatorch
        values = move(values, self.device)
    return apply_inplace(self, Tensor._make(values))


@tensor_method()
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fills self with samples from the uniform distribution on ``[a, b)``; returns self."""
    return _fill_inplace(self, numpy_generator(generator).uniform(a, b, self._data.shape))


@tensor_method()
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fills self with samples from the normal distribution ``N(mean, std ** 2)``; returns self."""
    return _fill_inplace(self, mean + std * numpy_generator(generator).standard_normal(self._data.shape))


@tensor_method()
def random_(self, *args, generator=None, **kwargs):
    """``random_()`` (full range), ``random_(to)`` or ``random_(from, to)``: integers drawn uniformly."""
    bounds = list(args) + [kwargs[k] for k in ("from", "to") if k in kwargs]
    if len(bounds) == 2:
        low, high = bounds
    elif len(bounds) == 1:
        low, high = 0, bounds[0]
    else:
        kind = self._data.dtype
        low = 0
        high = (2 ** (np.finfo(kind).nmant + 1) + 1) if kind.kind == "f" else (
            2 if kind == np.bool_ else int(np.iinfo(kind).max) + 1)
    return _fill_inplace(self, numpy_generator(generator).integers(low, high, self._data.shape))


@tensor_method()
def bernoulli_(self, p=0.5, *, generator=None):
    """Fills self with 1 with probability ``p``, else 0; returns self."""
    probs = p.numpy(force=True) if isinstance(p, Tensor) else p
    return _fill_inplace(self, numpy_generator(generator).random(self._data.shape) < probs)


@tensor_method()
def exponential_(self, lambd=1.0, *, generator=None):
    """Fills self with samples from the exponential distribution of rate ``lambd``; returns self."""
    return _fill_inplace(self, numpy_generator(generator).exponential(1.0 / lambd, self._data.shape))


@tensor_method()
def geometric_(self, p, *, generator=None):
    """Fills self with the number of trials (from 1) to the first success of probability ``p``."""
    return _fill_inplace(self, numpy_generator(generator).geometric(p, self._data.shape))


@tensor_method()
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills self with ``exp`` of samples from ``N(mean, std ** 2)``; returns self."""
    return _fill_inplace(self, numpy_generator(generator).lognormal(mean, std, self._data.shape))


@tensor_method()
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills self with samples from the Cauchy distribution ``(median, sigma)``; returns self."""
    return _fill_inplace(self, median + sigma * numpy_generator(generator).standard_cauchy(self._data.shape))


@tensor_method()
def fill_(self, value):
    """Fills self with ``value``; returns self."""
    return _fill_inplace(self, value._data if isinstance(value, Tensor) else value)


@tensor_method()
def zero_(self):
    """Fills self with zeros; returns self."""
    return _fill_inplace(self, 0)


@tensor_method("bernoulli")
def _bernoulli_method(self, p=None, *, generator=None):
    """0/1 samples, 1 with the probability in each element (or ``p``)."""
    return bernoulli(self, p, generator=generator)


@tensor_method("multinomial")
def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    """``num_samples`` category indices per row, drawn with probabilities proportional to self."""
    return multinomial(self, num_samples, replacement, generator=generator)
