"""Sums along a row in eight interleaved float64 partial sums, for row kernels (softmax, layer norm, pooling,
whole-array sums): one running sum waits on every add; eight independent ones vectorise. The order depends only on
the row's length, never on threads or load. Over float32 values, sum a float64 copy of the row: a sum converting
each value as it adds stays scalar (2x slower).
"""
from numba import njit


@njit(cache=True, error_model="numpy", inline="always")
def sum8(values, n):
    """Sum of ``values[:n]`` in eight interleaved float64 partial sums, added pairwise at the end."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    whole = n - n % 8
    for j in range(0, whole, 8):
        s0 += values[j]
        s1 += values[j + 1]
        s2 += values[j + 2]
        s3 += values[j + 3]
        s4 += values[j + 4]
        s5 += values[j + 5]
        s6 += values[j + 6]
        s7 += values[j + 7]
    for j in range(whole, n):
        s0 += values[j]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(cache=True, error_model="numpy", inline="always")
def dot8(a, b, n):
    """Sum of ``a[j] * b[j]`` over ``j < n``, the products in float64, summed as in ``sum8``."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    whole = n - n % 8
    for j in range(0, whole, 8):
        s0 += float(a[j]) * b[j]
        s1 += float(a[j + 1]) * b[j + 1]
        s2 += float(a[j + 2]) * b[j + 2]
        s3 += float(a[j + 3]) * b[j + 3]
        s4 += float(a[j + 4]) * b[j + 4]
        s5 += float(a[j + 5]) * b[j + 5]
        s6 += float(a[j + 6]) * b[j + 6]
        s7 += float(a[j + 7]) * b[j + 7]
    for j in range(whole, n):
        s0 += float(a[j]) * b[j]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
