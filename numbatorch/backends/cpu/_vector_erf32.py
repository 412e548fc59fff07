"""A float32 ``erf`` and standard normal distribution computed in float32 lanes (twice ``_vector_erf``'s lanes).

The method of ``_vector_erf`` with float32 fits (same references): P of degree 4 in z*z on |z| <= 1/2, G of degree
8 on 1/2 <= z <= 10, the split keeping 12 bits, and ``exp32`` (whose results go subnormal and then 0 where the
exact value does). ``erf`` is within 3 ulp of float32-rounded ``math.erf``; ``normal_cdf_pdf`` within a
few ulp relative, in both tails.
"""
import math

import numpy as np
from numba import njit

from ._float_bits import bits_from_float32, float32_from_bits
from ._vector_erf import _poly
from ._vector_exp32 import exp32

_F = np.float32
_ERF_SMALL = (1.12837917, -0.376126084, 0.112828195, -0.0267569719, 0.00471756741)
_CDF_SMALL = tuple(c / (2 * np.sqrt(2.0) * 2.0 ** k) for k, c in enumerate(_ERF_SMALL))
_TAIL = (0.499493251, 0.211740406, 0.0552904348, 0.0049833486, -0.00163875961, -0.000359222952, 9.09102431e-05,
         1.89585593e-05, -6.39326542e-06)
_ERF_SMALL_DESCENDING, _CDF_SMALL_DESCENDING, _TAIL_DESCENDING = (np.array(c[::-1], np.float32)
                                                                  for c in (_ERF_SMALL, _CDF_SMALL, _TAIL))
_TAIL_START = _F(0.5)
_T_NEAR, _T_FAR = 1 / (1 + 0.5 / 2), 1 / (1 + 10.0 / 2)
_U_SCALE = _F(2 / (_T_NEAR - _T_FAR))
_U_SHIFT = _F(-(_T_NEAR + _T_FAR) / (_T_NEAR - _T_FAR))
_CDF_TAIL_START = _F(0.5 * np.sqrt(2.0))
_HALF_SQRT_HALF = _F(np.sqrt(0.5) / 2)
_INV_SQRT_2PI = _F(1 / np.sqrt(2 * np.pi))
_HIGH_BITS = np.int32(-(1 << 12))
_FAR = _F(20.0)  # exp(-z*z / 2) is 0 from here (and the split's remainder may be inf - inf)
_ZERO, _ONE, _HALF, _SIXTH = _F(0.0), _F(1.0), _F(0.5), _F(1 / 6)


@njit(cache=True, error_model="numpy", inline="always")
def _exp_neg_square(a, scale):
    """``exp(-scale * a * a)`` for a float32 ``a >= 0`` (or NaN) and ``scale`` a power of two, without the error
    of a rounded square, down to subnormal results and 0."""
    high = float32_from_bits(bits_from_float32(a) & _HIGH_BITS)
    low = scale * (a - high) * (a + high)  # at most 0.05: its Taylor series to the 4th power is enough
    if a > _FAR:
        low = _ZERO
    e = exp32(-(scale * high * high))  # subnormal results and 0 included
    return e * (_ONE - low * (_ONE - low * (_HALF - low * (_SIXTH - low * _F(1 / 24)))))


@njit(cache=True, error_model="numpy", inline="always")
def _tail(t):
    """``erfcx(z)`` from ``t = 1 / (1 + z/2)``, for z from ``_TAIL_START`` on."""
    return t * _poly(_TAIL_DESCENDING, _U_SCALE * t + _U_SHIFT)


@njit(cache=True, error_model="numpy", inline="always")
def erf32(x):
    """The error function of a float32 ``x`` in float32 arithmetic; vectorisable."""
    a = abs(x)
    small = x * _poly(_ERF_SMALL_DESCENDING, x * x)
    tail = math.copysign(_ONE - _exp_neg_square(a, _ONE) * _tail(_ONE / (_ONE + _HALF * a)), x)
    return small if a < _TAIL_START else tail


@njit(cache=True, error_model="numpy", inline="always")
def normal_cdf_pdf32(x):
    """``(Phi(x), phi(x))`` of a float32 ``x`` in float32 arithmetic (see ``_vector_erf.normal_cdf_pdf``)."""
    a = abs(x)
    gauss = _exp_neg_square(a, _HALF)
    lower = _HALF * _tail(_ONE / (_ONE + _HALF_SQRT_HALF * a)) * gauss  # Phi(-a)
    small = _HALF + x * _poly(_CDF_SMALL_DESCENDING, x * x)
    upper = _ONE - lower if x > _ZERO else lower
    return small if a < _CDF_TAIL_START else upper, gauss * _INV_SQRT_2PI
