"""Legacy tensor types: ``FloatTensor``, ``LongTensor`` … (constructors, ``isinstance`` by dtype, ``x.type(T)``)."""
import warnings

import numpy as np

from . import _dtype as dt
from ._size import Size
from ._tensor import Tensor

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor", "tensortype", "set_default_tensor_type"]


class tensortype(type):
    """Metaclass of the legacy types: a tensor is an instance of the type named after its dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls):
        return f"<class 'numbatorch.{cls.__name__}'>"


def _new(cls, *args, device=None):
    """``T(2, 3)`` / ``T(size)`` (uninitialised), ``T(data)`` (a copy converted to T's dtype), ``T()`` (empty)."""
    from ._creation import _check_device
    _check_device(device)
    np_dtype = cls.dtype.np
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype is not cls.dtype:
            raise TypeError(f"expected {cls.dtype} (got {args[0].dtype})")
        return args[0]
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)) and not isinstance(args[0], Size):
        # through float32 for bfloat16, as PyTorch converts (dt.conversion_dtype)
        return Tensor._make(np.array(args[0], dtype=dt.conversion_dtype(cls.dtype)).astype(np_dtype, copy=False))
    if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
    return Tensor._make(np.empty(tuple(int(s) for s in sizes) if sizes else (0,), dtype=np_dtype))


def _legacy_type(name, dtype):
    return tensortype(name, (), {"__new__": _new, "dtype": dtype, "is_cuda": False, "is_sparse": False,
                                 "__module__": "numbatorch", "__doc__": f"Legacy constructor of {dtype} tensors."})


FloatTensor = _legacy_type("FloatTensor", dt.float32)
DoubleTensor = _legacy_type("DoubleTensor", dt.float64)
HalfTensor = _legacy_type("HalfTensor", dt.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", dt.bfloat16)
LongTensor = _legacy_type("LongTensor", dt.int64)
IntTensor = _legacy_type("IntTensor", dt.int32)
ShortTensor = _legacy_type("ShortTensor", dt.int16)
CharTensor = _legacy_type("CharTensor", dt.int8)
ByteTensor = _legacy_type("ByteTensor", dt.uint8)
BoolTensor = _legacy_type("BoolTensor", dt.bool_)


def set_default_tensor_type(t):
    """Deprecated: ``set_default_dtype`` of a floating legacy type (``FloatTensor``, ``'torch.DoubleTensor'``)."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    dt.set_default_dtype(dt.as_dtype(t))
