"""Math in a kernel's own float type, for loops written once for float32 and float64 arrays (Numba only):
``vector_exp`` (the vectorisable exps: ``_vector_exp32.exp32`` for float32, ``_vector_exp.exp`` for float64;
``math.exp`` is a libm call that keeps a loop scalar), ``vector_expm1`` and ``vector_log1p`` (``_vector_expm1``'s
and ``_vector_log1p``'s two, for the same reason), ``normal_cdf_pdf`` (``_vector_erf``'s and ``_vector_erf32``'s),
``one_like`` (1 in the value's type: a float literal would make float32 arithmetic run in float64) and
``as_type_of`` (a scalar converted to another's type)."""
import numpy as np
from numba import types
from numba.extending import overload

from ._vector_erf import normal_cdf_pdf as normal_cdf_pdf64
from ._vector_erf32 import normal_cdf_pdf32
from ._vector_exp import exp as exp64
from ._vector_exp32 import exp32
from ._vector_expm1 import expm1 as expm1_64, expm1_32
from ._vector_log1p import log1p as log1p64, log1p32


def vector_exp(v):
    """``e**v`` in ``v``'s float type."""
    return exp32(v) if isinstance(v, np.float32) else exp64(v)  # run as Python under NUMBA_DISABLE_JIT


def vector_expm1(v):
    """``e**v - 1`` in ``v``'s float type."""
    return expm1_32(v) if isinstance(v, np.float32) else expm1_64(v)  # run as Python under NUMBA_DISABLE_JIT


def vector_log1p(v):
    """``log(1 + v)`` in ``v``'s float type."""
    return log1p32(v) if isinstance(v, np.float32) else log1p64(v)  # run as Python under NUMBA_DISABLE_JIT


def one_like(v):
    """1 in ``v``'s float type."""
    return type(v)(1.0)


def normal_cdf_pdf(v):
    """``(Phi(v), phi(v))``, the standard normal distribution and density, in ``v``'s float type."""
    return normal_cdf_pdf32(v) if isinstance(v, np.float32) else normal_cdf_pdf64(v)


def as_type_of(value, like):
    """``value`` converted to ``like``'s float type: arithmetic mixing float64 scalars into float32 array loops
    converts every element to float64 and back, which LLVM leaves scalar (softmax's scaling pass took 4x)."""
    return type(like)(value)


@overload(vector_exp, inline="always")
def _vector_exp_overload(v):
    if v == types.float32:
        return lambda v: exp32(v)
    return lambda v: exp64(v)


@overload(vector_expm1, inline="always")
def _vector_expm1_overload(v):
    if v == types.float32:
        return lambda v: expm1_32(v)
    return lambda v: expm1_64(v)


@overload(vector_log1p, inline="always")
def _vector_log1p_overload(v):
    if v == types.float32:
        return lambda v: log1p32(v)
    return lambda v: log1p64(v)


@overload(normal_cdf_pdf, inline="always")
def _normal_cdf_pdf_overload(v):
    if v == types.float32:
        return lambda v: normal_cdf_pdf32(v)
    return lambda v: normal_cdf_pdf64(v)


@overload(one_like, inline="always")
def _one_like_overload(v):
    if v == types.float32:
        return lambda v: np.float32(1.0)
    return lambda v: 1.0


@overload(as_type_of, inline="always")
def _as_type_of_overload(value, like):
    if like == types.float32:
        return lambda value, like: np.float32(value)
    return lambda value, like: np.float64(value)
