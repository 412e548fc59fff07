"""The statistics of a training batch norm whose input and parameters are all bfloat16 or all float16.

PyTorch's CPU kernel then keeps the saved mean and invstd (which normalise the output and serve backward) in the
input's dtype. For bfloat16 it also stores the per-channel variance sum in bfloat16 and updates the running
statistics in bfloat16 arithmetic, each operation rounded (``c10::BFloat16``'s operators); for float16 the
running statistics are updated in float and rounded once. The kernels compute in float32/float64, so these
functions round their results the same way. With float32 parameters (mixed precision) the statistics stay float32.
"""
import numpy as np


def round_to(values, half):
    """Values rounded to float32, then to ``half``, held as float32 (which represents them exactly)."""
    return np.asarray(values, dtype=np.float32).astype(half).astype(np.float32)


def rounded_batch_stats(mean, invstd, eps, count, half):
    """(mean, invstd, unbiased variance) as PyTorch's kernel saves and uses them, from the float64 statistics."""
    saved_mean = round_to(mean, half)
    if half == np.float16:
        saved_invstd = round_to(invstd, half)
        unbiased_var = (1.0 / invstd ** 2 - eps) * count / max(count - 1, 1)
    else:
        # bfloat16 / int64 divides by the count rounded to bfloat16.
        var_sum = round_to((1.0 / invstd ** 2 - eps) * count, half)
        biased_var = round_to(var_sum / round_to(count, half), half)
        saved_invstd = round_to(1.0 / np.sqrt(biased_var.astype(np.float64) + eps), half)
        unbiased_var = round_to(var_sum / round_to(count - 1, half), half)
    return saved_mean.astype(np.float64), saved_invstd.astype(np.float64), unbiased_var


def update_running_mean(running, mean, momentum, half):
    """``momentum * mean + (1 - momentum) * running`` as PyTorch computes it in ``half``: ``running`` holds float32
    values, ``mean`` is the float64 batch mean."""
    if half == np.float16:
        return (1.0 - momentum) * running + momentum * mean
    m = round_to(momentum, half)
    kept = round_to(round_to(1 - m, half) * running, half)
    return round_to(round_to(m * round_to(mean, half), half) + kept, half)


def update_running_var(running, unbiased_var, momentum, half):
    """``momentum * unbiased_var + (1 - momentum) * running``; in bfloat16 the first product and the sum are
    float (a bfloat16 times a float is a float in c10)."""
    if half == np.float16:
        return (1.0 - momentum) * running + momentum * unbiased_var
    m = round_to(momentum, half)
    kept = round_to(round_to(1 - m, half) * running, half)
    return round_to(m * unbiased_var.astype(np.float32) + kept, half)
