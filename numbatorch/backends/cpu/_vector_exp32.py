"""A float32 ``exp`` for sigmoid and tanh, computed in float32 lanes inside Numba loops.

``_vector_exp.exp`` works in float64 (4 or 8 lanes a vector) with a Taylor series to r**13. For float32
gates, float32 arithmetic fills twice the lanes and a series to r**7 is enough. Method: x = k*ln2 + r with
|r| <= ln2/2 (Cody-Waite split of ln2), exp(r) by its Taylor series, and 2**k built in the exponent bits.
2**k is applied as two factors that are each a normal float, so the one rounding of the second product gives
subnormal results and 0 where the exact value underflows (softmax needs exp(-inf) = 0, not 2**-126). Within 2 ulp
of the float32-rounded exp for results from 2**-126 to 2**127; from 88.4 up the result may be inf instead of the
largest floats. NaN stays NaN.
"""
import numpy as np
from numba import njit

from ._float_bits import bits_from_float32, float32_from_bits

_LOG2E = np.float32(1.44269504)
_LN2_HI = np.float32(0.693359375)  # ln2 to 9 significant bits: k * _LN2_HI is exact for |k| < 2**15
_LN2_LO = np.float32(-2.12194440e-4)  # ln2 - _LN2_HI
# Adding 1.5 * 2**23 rounds to an integer that then sits in the low mantissa bits: round(x/ln2).
_SHIFTER = np.float32(12582912.0)
_SHIFTER_BITS = np.int32(0x4B400000)
_EXPONENT_BIAS = np.int32(127)
_MANTISSA_BITS = np.int32(23)
# Clamps keep k within [-150, 128]: each half of it a normal exponent; exp(-104) rounds to 0, 2**128 is inf.
_CLAMP_HIGH = np.float32(89.0)
_CLAMP_LOW = np.float32(-104.0)
_ONE = np.float32(1.0)
_TAYLOR = tuple(np.float32(1.0 / f) for f in (5040.0, 720.0, 120.0, 24.0, 6.0, 2.0))


@njit(cache=True, error_model="numpy", inline="always")
def exp32(x):
    """``e**x`` for a float32 ``x`` in float32 arithmetic (see the module docstring for its range)."""
    if x > _CLAMP_HIGH:
        x = _CLAMP_HIGH
    if x < _CLAMP_LOW:
        x = _CLAMP_LOW
    shifted = x * _LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r = (x - k * _LN2_HI) - k * _LN2_LO
    c7, c6, c5, c4, c3, c2 = _TAYLOR
    q = c7 * r + c6
    q = q * r + c5
    q = q * r + c4
    q = q * r + c3
    q = q * r + c2
    p = _ONE + (r + r * r * q)
    k_int = bits_from_float32(shifted) - _SHIFTER_BITS
    k1 = k_int >> 1
    k2 = k_int - k1
    return (p * float32_from_bits((k1 + _EXPONENT_BIAS) << _MANTISSA_BITS)
            * float32_from_bits((k2 + _EXPONENT_BIAS) << _MANTISSA_BITS))
