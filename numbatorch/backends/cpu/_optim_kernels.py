"""Fused optimizer updates: one pass over a parameter's elements instead of a numpy pass (and often a temporary)
per term of the formula.

Every kernel computes each element with the same operations, in the same order and in the same dtype, as the
numpy formula of its stand-in, so the two give the same bits.
"""
import numpy as np
from numba import njit

from ._tiered import Tiered


def _adam_update_numpy(param, grad, exp_avg, exp_avg_sq, lerp_up, weight1, rest1, beta2, weight2, neg_step_size,
                       bias_correction2_sqrt, eps):
    """``adam_update`` as numpy passes: the formula Adam used before the fused kernel."""
    if lerp_up:
        exp_avg += weight1 * (grad - exp_avg)
    else:
        exp_avg[...] = grad - (grad - exp_avg) * rest1
    exp_avg_sq *= beta2
    exp_avg_sq += (weight2 * grad) * grad
    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt
    denom += eps
    param += (neg_step_size * exp_avg) / denom


def _adam_update(param, grad, exp_avg, exp_avg_sq, lerp_up, weight1, rest1, beta2, weight2, neg_step_size,
                 bias_correction2_sqrt, eps):
    """Adam's moments and step on flat arrays of one dtype, in place; the scalars are of that dtype.

    exp_avg.lerp_(grad, weight1) (two-sided: ``lerp_up`` when weight1 < 0.5, else from grad with
    ``rest1 = 1 - weight1``), exp_avg_sq = exp_avg_sq * beta2 + (weight2 * grad) * grad,
    param += (neg_step_size * exp_avg) / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps).
    """
    for i in range(param.shape[0]):
        g = grad[i]
        m = exp_avg[i]
        m = m + weight1 * (g - m) if lerp_up else g - (g - m) * rest1
        v = exp_avg_sq[i] * beta2
        v = v + (weight2 * g) * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        param[i] = param[i] + (neg_step_size * m) / (np.sqrt(v) / bias_correction2_sqrt + eps)


adam_update = Tiered(njit(cache=True, nogil=True, error_model="numpy")(_adam_update), _adam_update_numpy)
