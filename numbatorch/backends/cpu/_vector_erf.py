"""A float64 ``erf`` and the standard normal distribution (``Phi`` and its density) that LLVM can vectorise.

``math.erf`` is a libm call, which keeps a Numba loop scalar (see ``_vector_exp``). Here both ranges are computed
and one is selected: for |z| < 1/2, erf(z) = z * P(z*z); above, erfc(z) = exp(-z*z) * erfcx(z), where the scaled
complement erfcx(z) = t * G(t) with t = 1 / (1 + z/2), G a polynomial in t (mapped onto [-1, 1]). P and G are
relative least-squares fits on Chebyshev nodes against a longdouble reference (the Taylor series of erf below 1.5,
Laplace's continued fraction for erfc above), P on |z| <= 1/2, G on 1/2 <= z <= 27.5 (past which even Phi of the
scaled argument underflows). exp(-z*z) is where accuracy goes: a rounded z*z carries an error of z*z * 2**-53,
which exp turns into that relative error (2e-14 at z = 27). So z is split into a high part with 26 bits, whose
square is exact, and a remainder: exp(-z*z) = exp(-hi*hi) * exp(-(z - hi) * (z + hi)), the second factor by its
Taylor series. ``erf`` is within 2 ulp, ``normal_cdf_pdf``'s values within a few ulp relative, in both tails.
"""
import math

import numpy as np
from numba import njit

from ._float_bits import bits_from_float64, float64_from_bits
from ._vector_exp import exp

# erf(z) / z ~ P(z*z) for |z| <= _TAIL_START
_ERF_SMALL = (1.1283791670955126, -0.3761263890318347, 0.11283791670924717, -0.02686617063268556,
              0.005223977369854846, -0.0008548297484476063, 0.00012053322441310693, -1.4845537982775467e-05,
              1.4722760688302245e-06)
# (Phi(x) - 1/2) / x ~ Q(x*x): P with x = z * sqrt(2), so Q's k-th coefficient is P's / (2 * sqrt(2) * 2**k)
_CDF_SMALL = tuple(c / (2 * np.sqrt(2.0) * 2.0 ** k) for k, c in enumerate(_ERF_SMALL))
# erfcx(z) / t ~ G(u) with t = 1 / (1 + z/2), u = _U_SCALE * t + _U_SHIFT in [-1, 1] for z in [0.5, 27.5]
_TAIL = (0.4677658877753235, 0.2252862987835299, 0.07048019404186578, 0.009137105546315919, -0.0023711407994442125,
         -0.0008986913189757275, 0.00015469009450006776, 8.317191942873495e-05, -2.0639038946391332e-05,
         -7.369677860599612e-06, 3.5129791886255948e-06, 3.4592110590763604e-07, -5.498703570013437e-07,
         7.98556869290423e-08, 6.122414806021815e-08, -3.0375776647377364e-08, -4.336514465881373e-10,
         5.5284463708303765e-09, -1.7842997193707512e-09, -5.370122882841243e-10, 4.379535167563116e-10,
         1.415606993054567e-11, -4.416797038326515e-11)
_TAIL_START = 0.5
_ERF_SMALL_DESCENDING, _CDF_SMALL_DESCENDING, _TAIL_DESCENDING = (np.array(c[::-1])
                                                                  for c in (_ERF_SMALL, _CDF_SMALL, _TAIL))
_T_NEAR, _T_FAR = 1 / (1 + _TAIL_START / 2), 1 / (1 + 27.5 / 2)
_U_SCALE = 2 / (_T_NEAR - _T_FAR)
_U_SHIFT = -(_T_NEAR + _T_FAR) / (_T_NEAR - _T_FAR)
_CDF_TAIL_START = _TAIL_START * np.sqrt(2.0)
_HALF_SQRT_HALF = np.sqrt(0.5) / 2  # t = 1 / (1 + z/2) with z = x / sqrt(2)
_INV_SQRT_2PI = 1 / np.sqrt(2 * np.pi)
_HIGH_BITS = -(1 << 27)  # keeps the sign, the exponent and the top 26 significant bits
_FAR = 40.0  # exp(-z*z / 2) is 0 from here: the split's remainder may be inf - inf, and is not needed


@njit(cache=True, error_model="numpy", inline="always")
def _poly(descending, v):
    """The polynomial with coefficients ``descending`` (a module-level array, highest degree first) at ``v``.
    Numba freezes a global array into constants and LLVM unrolls this loop over them; a tuple's items would be
    read through a switch that keeps the caller's loop scalar."""
    acc = descending[0]
    for k in range(1, descending.size):
        acc = acc * v + descending[k]
    return acc


@njit(cache=True, error_model="numpy", inline="always")
def _exp_neg_square(a, scale):
    """``exp(-scale * a * a)`` for ``a >= 0`` (or NaN) and ``scale`` a power of two, without the error of a
    rounded square."""
    high = float64_from_bits(bits_from_float64(a) & _HIGH_BITS)
    low = scale * (a - high) * (a + high)  # below 2**-24 * scale * a*a: its rounding does not show
    if a > _FAR:
        low = 0.0
    return exp(-(scale * high * high)) * (1.0 - low * (1.0 - low * (0.5 - low * (1.0 / 6.0))))


@njit(cache=True, error_model="numpy", inline="always")
def _tail(t):
    """``erfcx(z)`` from ``t = 1 / (1 + z/2)``, for z from ``_TAIL_START`` on."""
    return t * _poly(_TAIL_DESCENDING, _U_SCALE * t + _U_SHIFT)


@njit(cache=True, error_model="numpy", inline="always")
def erf(x):
    """The error function of a float64 ``x``; vectorisable, within 2 ulp of ``math.erf``."""
    a = abs(x)
    small = x * _poly(_ERF_SMALL_DESCENDING, x * x)
    tail = math.copysign(1.0 - _exp_neg_square(a, 1.0) * _tail(1.0 / (1.0 + 0.5 * a)), x)
    return small if a < _TAIL_START else tail


@njit(cache=True, error_model="numpy", inline="always")
def normal_cdf_pdf(x):
    """``(Phi(x), phi(x))``: the standard normal distribution function (0.5 * erfc(-x / sqrt(2)), accurate in
    both tails) and density of a float64 ``x``; vectorisable."""
    a = abs(x)
    gauss = _exp_neg_square(a, 0.5)
    lower = 0.5 * _tail(1.0 / (1.0 + _HALF_SQRT_HALF * a)) * gauss  # Phi(-a)
    if a < _CDF_TAIL_START:
        cdf = 0.5 + x * _poly(_CDF_SMALL_DESCENDING, x * x)
    else:
        cdf = 1.0 - lower if x > 0.0 else lower
    return cdf, gauss * _INV_SQRT_2PI
