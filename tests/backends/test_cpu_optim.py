"""Fused optimizer kernels: the compiled kernel and its numpy stand-in (Adam's former formula) give the same
bits, and the fused path declines arrays it cannot update in place."""
import numpy as np
import pytest

from numbatorch.backends.cpu import _optim_kernels, optim


def _adam_args(rng, dtype, beta1, step):
    n = 1031
    arrays = [rng.standard_normal(n).astype(dtype) for _ in range(3)]
    arrays.append(np.abs(rng.standard_normal(n)).astype(dtype))
    arrays[1][:3] = 0  # zero gradients: the moments decay, the step stays finite
    weight1 = 1 - beta1
    s = np.dtype(dtype).type
    step_size = 0.01 / (1 - beta1 ** step)
    bias_correction2_sqrt = (1 - 0.999 ** step) ** 0.5
    return arrays + [weight1 < 0.5, s(weight1), s(1 - weight1), s(0.999), s(1 - 0.999), s(-step_size),
                     s(bias_correction2_sqrt), s(1e-8)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta1", [0.9, 0.3])  # both sides of the two-sided lerp
@pytest.mark.parametrize("step", [1, 7])
def test_adam_kernel_equals_numpy_formula(dtype, beta1, step):
    args = _adam_args(np.random.default_rng(step), dtype, beta1, step)
    ours = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    _optim_kernels.adam_update.kernel(*ours)
    _optim_kernels.adam_update.stand_in(*theirs)
    for a, b in zip(ours[:4], theirs[:4]):
        np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("case", ["float16", "strided grad", "read-only param"])
def test_adam_update_declines_and_writes_nothing(case):
    rng = np.random.default_rng(0)
    dtype = np.float16 if case == "float16" else np.float32
    param, exp_avg, exp_avg_sq = (rng.random((4, 6)).astype(dtype) for _ in range(3))
    grad = rng.random((4, 12)).astype(dtype)[:, ::2] if case == "strided grad" else rng.random((4, 6)).astype(dtype)
    if case == "read-only param":
        param.flags.writeable = False
    before = [a.copy() for a in (param, exp_avg, exp_avg_sq)]
    assert optim.adam_update(param, grad, exp_avg, exp_avg_sq, 0.9, 0.999, 0.01, 0.5, 1e-8) is False
    for a, b in zip((param, exp_avg, exp_avg_sq), before):
        np.testing.assert_array_equal(a, b)


def test_adam_update_group_equals_one_by_one_and_declines_untouched():
    rng = np.random.default_rng(3)
    shapes_dtypes = [((4, 6), np.float32), ((7,), np.float64), ((3, 5), np.float32), ((2, 2), np.float16)]
    groups = [[rng.standard_normal(shape).astype(dtype) for _ in range(4)] for shape, dtype in shapes_dtypes]
    for arrays in groups:
        arrays[3] = np.abs(arrays[3])
    wide_grad = rng.standard_normal((3, 10)).astype(np.float32)
    groups[2][1] = wide_grad[:, ::2]
    one_by_one = [[a.copy() for a in arrays] for arrays in groups]
    together = [[a.copy() for a in arrays] for arrays in groups]
    one_by_one[2][1] = wide_grad.copy()[:, ::2]  # a strided gradient: declined
    together[2][1] = wide_grad.copy()[:, ::2]
    hyper = (0.9, 0.999, 0.013, 0.7, 1e-8)
    fused = [optim.adam_update(*arrays, *hyper) for arrays in one_by_one]
    declined = optim.adam_update_group(*zip(*together), *hyper)
    assert declined == [i for i, ok in enumerate(fused) if not ok] == [2, 3]
    for i, (ours, theirs) in enumerate(zip(together, one_by_one)):
        for a, b, original in zip(ours, theirs, groups[i]):
            a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
            np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8))
            if i in declined:
                np.testing.assert_array_equal(a, original)
