"""The ``.pt`` format's tables: storage record alignment, torch's legacy storage class names and dtype names."""
import numpy as np

from . import _dtype as dt

_ALIGNMENT = 64
# torch's legacy storage class names <-> numpy dtypes.
_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
    "ByteStorage": np.uint8, "BoolStorage": np.bool_, "ComplexFloatStorage": np.complex64,
    "ComplexDoubleStorage": np.complex128,
    # read as raw 16-bit words, then viewed as bfloat16 (its numpy type comes from ml_dtypes, imported lazily)
    "BFloat16Storage": np.uint16,
}
_STORAGE_BY_DTYPE = {np.dtype(v): k for k, v in _STORAGE_DTYPES.items() if k != "BFloat16Storage"}
# torch dtype attribute names numbatorch can stand for.
_TORCH_DTYPE_NAMES = {
    "float32": dt.float32, "float": dt.float32, "float64": dt.float64, "double": dt.float64,
    "float16": dt.float16, "half": dt.float16, "bfloat16": dt.bfloat16, "complex64": dt.complex64,
    "cfloat": dt.complex64, "complex128": dt.complex128, "cdouble": dt.complex128, "int64": dt.int64, "long": dt.int64,
    "int32": dt.int32, "int": dt.int32, "int16": dt.int16, "short": dt.int16, "int8": dt.int8,
    "uint8": dt.uint8, "bool": dt.bool_,
}
