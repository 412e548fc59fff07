"""A float64 ``exp`` that LLVM can vectorise inside Numba loops.

``math.exp`` compiles to a libm call, which keeps every loop around it scalar: Numba only maps it to vector
code through Intel's SVML, and the llvmlite wheels are built without SVML support. This ``exp`` is plain
arithmetic with no calls and no branches that cannot become selects, so a loop applying it runs several lanes
at a time. Method: x = k*ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2, so k*ln2 is exact), exp(r) by its
Taylor series to r**13 (truncation below 1e-17 relative), and 2**k built from exponent bits. Within 1 ulp of
numpy's exp over the whole float64 range, subnormal results, overflow to inf, underflow to 0 and NaN included.
"""
import numpy as np
from numba import njit

from ._float_bits import bits_from_float64, float64_from_bits

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # ln2 to 32 significant bits: k * _LN2_HI is exact for |k| < 2**21
_LN2_LO = 1.90821492927058770002e-10  # ln2 - _LN2_HI
# Adding 1.5 * 2**52 rounds to an integer that then sits in the low mantissa bits: round(x/ln2) without a
# float->int conversion (vectorised only with AVX-512) and with defined bits for NaN.
_SHIFTER = 6755399441055744.0
_SHIFTER_BITS = 0x4338000000000000
_EXPONENT_BIAS = 1023
# exp overflows above 709.78 and rounds to 0 below -745.13; clamping just outside keeps k in 11 bits.
_CLAMP_HIGH = 710.0
_CLAMP_LOW = -746.0


@njit(cache=True, error_model="numpy")
def exp(x):
    """``e**x`` in float64 for a float32 or float64 scalar; vectorisable, within 1 ulp of ``np.exp``."""
    x = np.float64(x)
    if x > _CLAMP_HIGH:
        x = _CLAMP_HIGH
    if x < _CLAMP_LOW:
        x = _CLAMP_LOW
    shifted = x * _LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r = (x - k * _LN2_HI) - k * _LN2_LO
    q = 1.0 / 6227020800.0
    q = q * r + 1.0 / 479001600.0
    q = q * r + 1.0 / 39916800.0
    q = q * r + 1.0 / 3628800.0
    q = q * r + 1.0 / 362880.0
    q = q * r + 1.0 / 40320.0
    q = q * r + 1.0 / 5040.0
    q = q * r + 1.0 / 720.0
    q = q * r + 1.0 / 120.0
    q = q * r + 1.0 / 24.0
    q = q * r + 1.0 / 6.0
    q = q * r + 0.5
    p = 1.0 + (r + r * r * q)
    # 2**k as two powers of two that are each a normal float: p * 2**k1 is exact, and the one rounding of
    # the second product gives correct subnormal results and overflow to inf.
    k_int = bits_from_float64(shifted) - _SHIFTER_BITS
    k1 = k_int >> 1
    k2 = k_int - k1
    return p * float64_from_bits((k1 + _EXPONENT_BIAS) << 52) * float64_from_bits((k2 + _EXPONENT_BIAS) << 52)
