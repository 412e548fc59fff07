"""An ``expm1`` that LLVM can vectorise inside Numba loops: ``expm1`` in float64, ``expm1_32`` in float32 arithmetic.

``math.expm1`` is a libm call, which keeps a loop scalar (see ``_vector_exp``), and ``exp(x) - 1`` loses the
low bits near 0 (and up to 4 ulp wherever exp's rounding lands on a result half its size). Method: x = k*ln2 + r
with |r| <= ln2/2 (Cody-Waite split of ln2, r's rounding error kept as a correction), expm1(r) = r + tail with
tail = r*r*q(r) from the Taylor series (to r**8 in float32, r**14 in float64: truncation below 0.1 ulp), and
expm1(x) = (2**k * r + (2**k - 1)) + 2**k * tail, whose first sum is exact or nearly so where it matters
(k = 1: adding the rounded expm1(r) instead cost 1.8 ulp). For k = 0 that is the series itself, so small x keeps
its relative accuracy, subnormals included; large k takes (expm1(r) + 1) * 2**k as two normal powers of two, so
results just below the overflow threshold stay finite. Branch-free: the special inputs are clamps and selects.
Within 1.3 ulp of the exact value measured (2 tested); -inf gives -1, inf gives inf, NaN stays NaN, -0.0 stays
-0.0.
"""
import numpy as np
from numba import njit

from ._float_bits import bits_from_float32, bits_from_float64, float32_from_bits, float64_from_bits

# expm1 rounds to -1 below -40 in either type (e**-40 < 2**-57), and k stays a normal exponent there.
_CLAMP_LOW = -40.0
# Beyond these expm1 overflows; clamping just outside keeps k within 128 (float32) and 1024 (float64).
_CLAMP_HIGH32 = 89.0
_CLAMP_HIGH64 = 710.0
# From this k on, 2**k may overflow alone and the "- 1" no longer shows: the product form takes over.
_PRODUCT_FROM_K = 60

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # ln2 to 32 significant bits: k * _LN2_HI is exact for |k| < 2**21
_LN2_LO = 1.90821492927058770002e-10  # ln2 - _LN2_HI
_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer held in the low mantissa bits
_SHIFTER_BITS = 0x4338000000000000
_TAYLOR = tuple(1.0 / f for f in (87178291200.0, 6227020800.0, 479001600.0, 39916800.0, 3628800.0, 362880.0,
                                  40320.0, 5040.0, 720.0, 120.0, 24.0, 6.0, 2.0))  # 1/14!, ..., 1/2!

_LOG2E32 = np.float32(1.44269504)
_LN2_HI32 = np.float32(0.693359375)  # ln2 to 9 significant bits: k * _LN2_HI32 is exact for |k| < 2**15
_LN2_LO32 = np.float32(-2.12194440e-4)  # ln2 - _LN2_HI32
_SHIFTER32 = np.float32(12582912.0)  # 1.5 * 2**23
_SHIFTER_BITS32 = np.int32(0x4B400000)
_TAYLOR32 = tuple(np.float32(1.0 / f) for f in (40320.0, 5040.0, 720.0, 120.0, 24.0, 6.0, 2.0))  # 1/8!, ..., 1/2!
_ONE32 = np.float32(1.0)
_LOW32 = np.float32(_CLAMP_LOW)
_HIGH32 = np.float32(_CLAMP_HIGH32)
_BIAS32 = np.int32(127)
_MANTISSA32 = np.int32(23)


@njit(cache=True, error_model="numpy", inline="always")
def expm1(x):
    """``e**x - 1`` in float64 for a float64 ``x`` (see the module docstring for its accuracy)."""
    v = x
    if v < _CLAMP_LOW:
        v = _CLAMP_LOW
    if v > _CLAMP_HIGH64:
        v = _CLAMP_HIGH64
    shifted = v * _LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r_hi = v - k * _LN2_HI
    r = r_hi - k * _LN2_LO
    r_lo = (r_hi - r) - k * _LN2_LO  # r's rounding error, scaled by 2**k below
    c14, c13, c12, c11, c10, c9, c8, c7, c6, c5, c4, c3, c2 = _TAYLOR
    q = c14 * r + c13
    q = q * r + c12
    q = q * r + c11
    q = q * r + c10
    q = q * r + c9
    q = q * r + c8
    q = q * r + c7
    q = q * r + c6
    q = q * r + c5
    q = q * r + c4
    q = q * r + c3
    q = q * r + c2
    tail = r * r * q + (r_lo + r_lo * r)  # expm1(r + r_lo) - r, to first order in r_lo
    p = r + tail
    k_int = bits_from_float64(shifted) - _SHIFTER_BITS
    two_k = float64_from_bits((k_int + 1023) << 52)
    k1 = k_int >> 1
    large = (p + 1.0) * float64_from_bits((k1 + 1023) << 52) * float64_from_bits((k_int - k1 + 1023) << 52)
    out = large if k_int >= _PRODUCT_FROM_K else (two_k * r + (two_k - 1.0)) + two_k * tail
    return x if x == 0 else out  # the reconstruction's "+ 0" would turn -0.0 into +0.0


@njit(cache=True, error_model="numpy", inline="always")
def expm1_32(x):
    """``e**x - 1`` for a float32 ``x`` in float32 arithmetic (see the module docstring for its accuracy)."""
    v = x
    if v < _LOW32:
        v = _LOW32
    if v > _HIGH32:
        v = _HIGH32
    shifted = v * _LOG2E32 + _SHIFTER32
    k = shifted - _SHIFTER32
    r_hi = v - k * _LN2_HI32
    r = r_hi - k * _LN2_LO32
    r_lo = (r_hi - r) - k * _LN2_LO32  # r's rounding error, scaled by 2**k below
    c8, c7, c6, c5, c4, c3, c2 = _TAYLOR32
    q = c8 * r + c7
    q = q * r + c6
    q = q * r + c5
    q = q * r + c4
    q = q * r + c3
    q = q * r + c2
    tail = r * r * q + (r_lo + r_lo * r)  # expm1(r + r_lo) - r, to first order in r_lo
    p = r + tail
    k_int = bits_from_float32(shifted) - _SHIFTER_BITS32
    two_k = float32_from_bits((k_int + _BIAS32) << _MANTISSA32)
    k1 = k_int >> 1
    large = ((p + _ONE32) * float32_from_bits((k1 + _BIAS32) << _MANTISSA32)
             * float32_from_bits((k_int - k1 + _BIAS32) << _MANTISSA32))
    out = large if k_int >= _PRODUCT_FROM_K else (two_k * r + (two_k - _ONE32)) + two_k * tail
    return x if x == 0 else out  # the reconstruction's "+ 0" would turn -0.0 into +0.0
