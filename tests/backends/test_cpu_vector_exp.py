"""The vectorisable exp of the recurrent kernels against numpy's exp, over the whole float64 range."""
import numpy as np
import pytest

from numbatorch.backends.cpu._vector_exp import exp


def _ulps(got, want):
    """Distance in units of the last place of ``want`` (0 where equal, inf and 0 results included)."""
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):
        return np.where(same, 0.0, np.abs(got - want) / np.spacing(np.abs(want)))


def _exp_each(x):
    return np.array([exp(v) for v in x])


def test_exp_within_one_ulp_across_the_range():
    rng = np.random.default_rng(0)
    x = np.concatenate([
        rng.uniform(-760.0, 720.0, 4000),       # beyond both ends: overflow and underflow
        rng.uniform(-2.0, 2.0, 2000),           # the activations' working range
        np.linspace(-745.2, -707.0, 1000),      # subnormal results
        np.linspace(705.0, 709.79, 500),        # just below overflow
        rng.uniform(-1e-8, 1e-8, 200),
    ])
    with np.errstate(over="ignore"):
        want = np.exp(x)
    assert _ulps(_exp_each(x), want).max() <= 1.0


@pytest.mark.parametrize("x", [np.nan, np.inf, -np.inf, 0.0, -0.0, 709.78, 709.79, 1e308, -745.13, -745.14,
                               -1e308, 5e-324, -708.39])
def test_exp_special_values_match_numpy(x):
    with np.errstate(over="ignore"):
        want = np.exp(x)
    got = exp(x)
    assert (np.isnan(got) and np.isnan(want)) or got == want


def test_exp_of_float32_input_is_exp_of_its_float64_value():
    x = np.random.default_rng(1).uniform(-80.0, 80.0, 500).astype(np.float32)
    assert _ulps(_exp_each(x), np.exp(x.astype(np.float64))).max() <= 1.0
