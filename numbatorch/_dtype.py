"""dtype objects (``numbatorch.float32`` …) and PyTorch's type-promotion rules."""
import builtins

import numpy as np


class dtype:
    """A tensor element type; wraps the numpy dtype that stores it."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = category == 2
        self.is_complex = False
        self.is_signed = name not in ("uint8", "bool")
        self.itemsize = self.np.itemsize
        # 0 bool, 1 integer, 2 floating: the order PyTorch promotes across categories.
        self._category = category

    def __repr__(self):
        return "numbatorch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        return self

    def to_complex(self):
        raise NotImplementedError("numbatorch has no complex dtypes")


float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
float16 = dtype("float16", np.float16, 2)
int64 = dtype("int64", np.int64, 1)
int32 = dtype("int32", np.int32, 1)
int16 = dtype("int16", np.int16, 1)
int8 = dtype("int8", np.int8, 1)
uint8 = dtype("uint8", np.uint8, 1)
bool_ = dtype("bool", np.bool_, 0)

# PyTorch's aliases.
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

ALL_DTYPES = (float32, float64, float16, int64, int32, int16, int8, uint8, bool_)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NP = {d.np: d for d in ALL_DTYPES}
# Legacy type strings accepted by Tensor.type(...).
_LEGACY_TYPE_NAMES = {
    "torch.FloatTensor": float32, "torch.DoubleTensor": float64, "torch.HalfTensor": float16,
    "torch.LongTensor": int64, "torch.IntTensor": int32, "torch.ShortTensor": int16,
    "torch.CharTensor": int8, "torch.ByteTensor": uint8, "torch.BoolTensor": bool_,
}
LEGACY_NAME = {v: k for k, v in _LEGACY_TYPE_NAMES.items()}

_default_float = [float32]


def _dtype_by_name(name):
    return _BY_NAME[name]


def get_default_dtype():
    """The dtype floating-point tensors get by default (``float32`` unless changed)."""
    return _default_float[0]


def set_default_dtype(d):
    """Sets the floating-point dtype (``float32``, ``float64`` or ``float16``) new tensors get by default."""
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def from_numpy_dtype(np_dtype):
    """numbatorch dtype of a numpy dtype; TypeError for types numbatorch cannot hold."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def as_dtype(d):
    """Accept a numbatorch dtype, a numpy dtype/type, a Python type, a legacy type (``LongTensor``) or its name."""
    if isinstance(d, dtype):
        return d
    if d is None:
        return None
    if d is builtins.float:
        return get_default_dtype()
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool_
    if isinstance(d, str):
        if d in _LEGACY_TYPE_NAMES:
            return _LEGACY_TYPE_NAMES[d]
        name = d.replace("numbatorch.", "").replace("torch.", "")
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"invalid type: '{d}'")
    legacy = getattr(d, "dtype", None)  # a legacy tensor type such as FloatTensor
    if isinstance(legacy, dtype) and isinstance(d, type):
        return legacy
    return from_numpy_dtype(d)


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to (PyTorch's promotion lattice)."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == 2:
        return a if a.itemsize > b.itemsize else b
    if a._category == 1:
        # uint8 with a signed type needs a wider signed type.
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a.itemsize > b.itemsize else b
    return a


def scalar_category(value):
    if isinstance(value, builtins.bool) or isinstance(value, np.bool_):
        return 0
    if isinstance(value, (builtins.int, np.integer)):
        return 1
    return 2


def _category_default(category):
    return (bool_, int64, get_default_dtype())[category]


def result_type(*operands):
    """PyTorch's result dtype for ``operands`` (Tensors or Python numbers).

    Dimensioned tensors win over zero-dim tensors, which win over Python scalars, unless a lower-priority
    operand belongs to a higher category (bool < integer < floating).
    """
    dims, zero_dims, scalars = None, None, -1
    for op in operands:
        data = getattr(op, "_data", None)
        if data is None:
            scalars = max(scalars, scalar_category(op))
            continue
        d = _BY_NP[data.dtype]
        if data.ndim:
            dims = d if dims is None else promote_types(dims, d)
        else:
            zero_dims = d if zero_dims is None else promote_types(zero_dims, d)
    result = dims
    if zero_dims is not None:
        if result is None or zero_dims._category > result._category:
            result = zero_dims
    if scalars >= 0:
        if result is None:
            result = _category_default(scalars)
        elif scalars > result._category:
            result = _category_default(scalars)
    return result
