"""A ``log1p`` that LLVM can vectorise inside Numba loops: ``log1p`` in float64, ``log1p32`` in float32 arithmetic.

``math.log1p`` compiles to a libm call, which keeps every loop around it scalar (see ``_vector_exp``); these are
arithmetic and bit manipulation only, with selects for the special inputs. Method: u = 1 + x rounded, and
u = m * 2**k with m in [sqrt(1/2), sqrt(2)) read off u's bits. Then log1p(x) = k*ln2 + log(m) + c, where
c = (x - (u - 1)) / u is u's rounding error to first order (u - 1 and the difference are exact while it
matters: Sterbenz). log(m) = 2 atanh(s) with f = m - 1, s = f / (2 + f), |s| < 0.1716: its Taylor series in
s*s (to s**21 in float64, s**9 in float32; truncation below 0.01 and 0.04 ulp) is summed as
f - f*f/2 + s*(f*f/2 + R), which keeps the leading term f exact; ln2 is split so that k*ln2_hi is exact.
Tested within 1 ulp of the exact value for x > -1 in either type (0.72 ulp measured for float32), subnormals
included; log1p(-1) = -inf, NaN below -1, inf stays inf, NaN stays NaN, -0.0 stays -0.0.
"""
import numpy as np
from numba import njit

from ._float_bits import bits_from_float32, bits_from_float64, float32_from_bits, float64_from_bits

# u's bits minus those of sqrt(1/2), shifted down by the mantissa width: the k that puts m in [sqrt(1/2), sqrt(2)).
_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD
_LN2_HI = 6.93147180369123816490e-01  # ln2 to 32 significant bits: k * _LN2_HI is exact for |k| < 2**21
_LN2_LO = 1.90821492927058770002e-10  # ln2 - _LN2_HI
# k as a float without an int->float conversion (vectorised only with AVX-512): 1.5 * 2**52 + k has k in its
# low mantissa bits, so subtracting 1.5 * 2**52 leaves k exactly.
_SHIFTER = 6755399441055744.0
_SHIFTER_BITS = 0x4338000000000000
_ATANH = tuple(2.0 / (2 * j + 1) for j in range(10, 0, -1))  # 2/21, 2/19, ..., 2/3: 2 atanh(s) = 2s + s*R(s*s)
_INF = np.inf

_SQRT_HALF_BITS32 = 0x3F3504F3
_LN2_HI32 = np.float32(0.693359375)  # ln2 to 9 significant bits: k * _LN2_HI32 is exact for |k| < 2**15
_LN2_LO32 = np.float32(-2.12194440e-4)  # ln2 - _LN2_HI32
_SHIFTER32 = np.float32(12582912.0)  # 1.5 * 2**23
_SHIFTER_BITS32 = 0x4B400000
_MANTISSA32 = 0x7FFFFF
_ATANH32 = tuple(np.float32(2.0 / (2 * j + 1)) for j in range(4, 0, -1))
_ONE32, _TWO32, _HALF32 = np.float32(1.0), np.float32(2.0), np.float32(0.5)
_INF32, _NAN32 = np.float32(np.inf), np.float32(np.nan)


@njit(cache=True, error_model="numpy")
def log1p(x):
    """``log(1 + x)`` in float64 for a float32 or float64 scalar; vectorisable, within 1 ulp."""
    x = np.float64(x)
    u = 1.0 + x
    bits = bits_from_float64(u)
    k = (bits - _SQRT_HALF_BITS) >> 52
    f = float64_from_bits(bits - (k << 52)) - 1.0
    c = (x - (u - 1.0)) / u
    kf = float64_from_bits(k + _SHIFTER_BITS) - _SHIFTER
    s = f / (2.0 + f)
    z = s * s
    c21, c19, c17, c15, c13, c11, c9, c7, c5, c3 = _ATANH
    r = c21 * z + c19
    r = r * z + c17
    r = r * z + c15
    r = r * z + c13
    r = r * z + c11
    r = r * z + c9
    r = r * z + c7
    r = r * z + c5
    r = (r * z + c3) * z
    hfsq = 0.5 * f * f
    result = kf * _LN2_HI + (f - (hfsq - (s * (hfsq + r) + (kf * _LN2_LO + c))))
    # u's bits mean nothing for inf, NaN, u <= 0; and the sum above turns -0.0 into +0.0
    if x == 0.0 or not x < _INF:
        result = x
    if x <= -1.0:
        result = -_INF if x == -1.0 else np.nan
    return result


@njit(cache=True, error_model="numpy", inline="always")
def log1p32(x):
    """``log(1 + x)`` for a float32 ``x`` in float32 arithmetic; vectorisable, within 1 ulp."""
    u = _ONE32 + x
    # int32 casts after each integer step: Numba widens int32 arithmetic to int64, twice the vector registers
    offset = np.int32(bits_from_float32(u) - _SQRT_HALF_BITS32)
    f = float32_from_bits(np.int32((offset & _MANTISSA32) + _SQRT_HALF_BITS32)) - _ONE32
    c = (x - (u - _ONE32)) / u
    kf = float32_from_bits(np.int32((offset >> 23) + _SHIFTER_BITS32)) - _SHIFTER32
    s = f / (_TWO32 + f)
    z = s * s
    c9, c7, c5, c3 = _ATANH32
    r = (((c9 * z + c7) * z + c5) * z + c3) * z
    hfsq = _HALF32 * f * f
    result = kf * _LN2_HI32 + (f - (hfsq - (s * (hfsq + r) + (kf * _LN2_LO32 + c))))
    if x == 0 or not x < _INF32:
        result = x
    if x <= -1:
        result = -_INF32 if x == -1 else _NAN32
    return result
