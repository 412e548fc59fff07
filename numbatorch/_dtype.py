"""dtype objects (``numbatorch.float32`` …) and PyTorch's type-promotion rules.

Most dtypes are stored as the numpy dtype of the same name. numpy has no bfloat16 or float8 types: those are
stored with the ``ml_dtypes`` package (the numpy extension types JAX uses), imported on first use because its
import is slow. complex32 has no numpy storage at all: the dtype exists, its tensors raise.
"""
import builtins
import importlib

import numpy as np

# 0 bool, 1 integer, 2 floating, 3 complex: the order PyTorch promotes across categories.
BOOL, INTEGER, FLOATING, COMPLEX = 0, 1, 2, 3
# numpy dtype kinds of floating tensors ("V": the ml_dtypes types) and of those that can require grad.
FLOAT_KINDS = "fV"
DIFFERENTIABLE_KINDS = "fcV"


def is_floating(np_dtype):
    """True for the numpy dtype of a floating tensor: numpy's floats and the ml_dtypes ones (bfloat16, float8),
    whose numpy kind is "V", not "f"."""
    return np_dtype.kind in FLOAT_KINDS


class dtype:
    """A tensor element type; wraps the numpy dtype that stores it."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_category",
                 "_scalar_name", "_storage")

    def __init__(self, name, storage, category, itemsize, scalar_name):
        self.name = name
        self.is_floating_point = category == FLOATING
        self.is_complex = category == COMPLEX
        self.is_signed = not (name.startswith("uint") or name == "bool")
        self.itemsize = itemsize
        self._category = category
        # PyTorch's ScalarType name (``Float``, ``ComplexDouble`` …), used in its messages and legacy type names.
        self._scalar_name = scalar_name
        # A numpy type, the name of an ml_dtypes type (resolved on first use), or None (no storage).
        self._storage = storage
        if not isinstance(storage, str) and storage is not None:
            self.np = np.dtype(storage)

    def __getattr__(self, attr):
        # Only reached while ``np`` is unset: the lazily stored dtypes.
        if attr != "np":
            raise AttributeError(f"'numbatorch.dtype' object has no attribute '{attr}'")
        if self._storage is None:
            raise TypeError(f"numbatorch does not support {self.name} tensors: numpy has no {self.name} type")
        try:
            module = importlib.import_module("ml_dtypes")
        except ImportError:
            raise TypeError(f"numbatorch stores {self.name} tensors with the ml_dtypes package, which is not "
                            "installed (pip install ml_dtypes)") from None
        self.np = np.dtype(getattr(module, self._storage))
        _BY_NP[self.np] = self
        return self.np

    def __repr__(self):
        return "numbatorch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        """The real dtype of a complex one (``complex64`` -> ``float32``); other dtypes are returned as is."""
        return _COMPLEX_TO_REAL.get(self, self)

    def to_complex(self):
        """The complex dtype of a floating one (``float32`` -> ``complex64``); complex dtypes are returned as is."""
        if self.is_complex:
            return self
        try:
            return _REAL_TO_COMPLEX[self]
        except KeyError:
            raise RuntimeError(f"to_complex is only supported for floating point dtypes, got {self}") from None


float32 = dtype("float32", np.float32, FLOATING, 4, "Float")
float64 = dtype("float64", np.float64, FLOATING, 8, "Double")
float16 = dtype("float16", np.float16, FLOATING, 2, "Half")
bfloat16 = dtype("bfloat16", "bfloat16", FLOATING, 2, "BFloat16")
float8_e4m3fn = dtype("float8_e4m3fn", "float8_e4m3fn", FLOATING, 1, "Float8_e4m3fn")
float8_e4m3fnuz = dtype("float8_e4m3fnuz", "float8_e4m3fnuz", FLOATING, 1, "Float8_e4m3fnuz")
float8_e5m2 = dtype("float8_e5m2", "float8_e5m2", FLOATING, 1, "Float8_e5m2")
float8_e5m2fnuz = dtype("float8_e5m2fnuz", "float8_e5m2fnuz", FLOATING, 1, "Float8_e5m2fnuz")
complex64 = dtype("complex64", np.complex64, COMPLEX, 8, "ComplexFloat")
complex128 = dtype("complex128", np.complex128, COMPLEX, 16, "ComplexDouble")
complex32 = dtype("complex32", None, COMPLEX, 4, "ComplexHalf")
int64 = dtype("int64", np.int64, INTEGER, 8, "Long")
int32 = dtype("int32", np.int32, INTEGER, 4, "Int")
int16 = dtype("int16", np.int16, INTEGER, 2, "Short")
int8 = dtype("int8", np.int8, INTEGER, 1, "Char")
uint8 = dtype("uint8", np.uint8, INTEGER, 1, "Byte")
uint16 = dtype("uint16", np.uint16, INTEGER, 2, "UInt16")
uint32 = dtype("uint32", np.uint32, INTEGER, 4, "UInt32")
uint64 = dtype("uint64", np.uint64, INTEGER, 8, "UInt64")
bool_ = dtype("bool", np.bool_, BOOL, 1, "Bool")

# PyTorch's aliases.
float = float32
double = float64
half = float16
cfloat = complex64
cdouble = complex128
chalf = complex32
long = int64
int = int32
short = int16

ALL_DTYPES = (float32, float64, float16, bfloat16, float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz,
              complex64, complex128, complex32, int64, int32, int16, int8, uint8, uint16, uint32, uint64, bool_)
_FLOAT8 = (float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz)
# Unsigned types PyTorch only promotes with floating types.
_BAREBONES_UNSIGNED = (uint16, uint32, uint64)
_COMPLEX_TO_REAL = {complex32: float16, complex64: float32, complex128: float64}
_REAL_TO_COMPLEX = {float16: complex32, bfloat16: complex64, float32: complex64, float64: complex128}
_BY_NAME = {d.name: d for d in ALL_DTYPES}


class _NumpyLookup(dict):
    """numbatorch dtype by numpy dtype; an ml_dtypes type is added when first met (its import is lazy)."""

    def __missing__(self, np_dtype):
        d = _BY_NAME.get(getattr(np_dtype, "name", None))
        if d is None or not isinstance(d._storage, str) or d.np != np_dtype:
            raise KeyError(np_dtype)
        return d


_BY_NP = _NumpyLookup((d.np, d) for d in ALL_DTYPES if not isinstance(d._storage, str) and d._storage is not None)
# Legacy type strings accepted by Tensor.type(...).
_LEGACY_TYPE_NAMES = {f"torch.{d._scalar_name}Tensor": d for d in ALL_DTYPES}
LEGACY_NAME = {v: k for k, v in _LEGACY_TYPE_NAMES.items()}

_default_float = [float32]


def _dtype_by_name(name):
    return _BY_NAME[name]


def get_default_dtype():
    """The dtype floating-point tensors get by default (``float32`` unless changed)."""
    return _default_float[0]


def set_default_dtype(d):
    """Sets the floating-point dtype (``float32``, ``float64``, ``float16`` or ``bfloat16``) new tensors get."""
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def from_numpy_dtype(np_dtype):
    """numbatorch dtype of a numpy dtype; TypeError for types numbatorch cannot hold."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, "
            "uint16, uint8, and bool.") from None


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
    if d is builtins.complex:
        return default_complex_dtype()
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


def conversion_dtype(d):
    """The numpy dtype values pass through on their way to ``d``: float32 for the ml_dtypes floats, as PyTorch
    converts to bfloat16 from float (a float64 is rounded twice), else ``d``'s own."""
    return np.float32 if isinstance(d._storage, str) else d.np


def default_complex_dtype():
    """The complex dtype matching the default floating dtype (``complex64`` for ``float32``)."""
    return get_default_dtype().to_complex()


def _promotion_error(a, b, kind):
    return RuntimeError(f"Promotion for {kind} is not supported, attempted to promote {a._scalar_name} "
                        f"and {b._scalar_name}")


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to (PyTorch's promotion lattice)."""
    if a is b:
        return a
    if a in _FLOAT8 or b in _FLOAT8:
        raise _promotion_error(a, b, "Float8 Types")
    if a in _BAREBONES_UNSIGNED or b in _BAREBONES_UNSIGNED:
        other = b if a in _BAREBONES_UNSIGNED else a
        if other._category != FLOATING:
            raise _promotion_error(a, b, "uint16, uint32, uint64 types")
        return other
    if a._category == COMPLEX or b._category == COMPLEX:
        return promote_types(a.to_real(), b.to_real()).to_complex() if min(a._category, b._category) >= FLOATING \
            else (a if a._category == COMPLEX else b)
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == FLOATING:
        if a.itemsize == b.itemsize:  # float16 with bfloat16: neither holds the other
            return float32
        return a if a.itemsize > b.itemsize else b
    if a._category == INTEGER:
        # uint8 with a signed type needs a wider signed type.
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a.itemsize > b.itemsize else b
    return a


def scalar_category(value):
    """Promotion category of a Python (or numpy) scalar: bool, integer, floating or complex."""
    cls = type(value)
    if cls is builtins.float:  # the common operands (``x * 0.5``), before the slower checks against numpy's types
        return FLOATING
    if cls is builtins.int:
        return INTEGER
    if isinstance(value, builtins.bool) or isinstance(value, np.bool_):
        return BOOL
    if isinstance(value, (builtins.int, np.integer)):
        return INTEGER
    if isinstance(value, (builtins.complex, np.complexfloating)):
        return COMPLEX
    return FLOATING


def _category_default(category):
    return (bool_, int64, get_default_dtype(), default_complex_dtype())[category]


def _combine_categories(higher, lower):
    """PyTorch's merge of the result of a higher-priority operand group with that of a lower one.

    The higher group's dtype wins unless the lower group's category is above it; then the lower one wins,
    except that complex over floating keeps the floating precision (``float64`` with ``1j`` -> ``complex128``).
    """
    if higher is None:
        return lower
    if lower is None or lower._category <= higher._category:
        return higher
    if lower._category == COMPLEX and higher._category == FLOATING:
        return higher.to_complex()
    if higher._category == BOOL or lower._category == FLOATING:
        return promote_types(higher, lower)
    return lower


def result_type(*operands):
    """PyTorch's result dtype for ``operands`` (Tensors or Python numbers).

    Dimensioned tensors win over zero-dim tensors, which win over Python scalars, unless a lower-priority
    operand belongs to a higher category (bool < integer < floating < complex).
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
    wrapped = _category_default(scalars) if scalars >= 0 else None
    return _combine_categories(dims, _combine_categories(zero_dims, wrapped))
