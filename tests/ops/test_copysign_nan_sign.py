"""copysign sets the sign bit of NaN too, and signbit reads it, in every floating dtype, as PyTorch."""
import numpy as np
import pytest

import numbatorch

DTYPES = ["float32", "float64", "float16", "bfloat16"]


def _sign_bits(framework, dtype):
    d = getattr(framework, dtype)
    x = framework.tensor([float("nan"), 1.0, -2.0, 0.0, -0.0], dtype=d)
    signs = framework.tensor([-1.0, -0.0, 1.0, -3.0, 0.0], dtype=d)
    results = (framework.copysign(x, -1.0), framework.copysign(x, signs), framework.copysign(-x, 2),
               x.clone().copysign_(-0.0), framework.copysign(framework.tensor([[float("nan")], [2.0]], dtype=d), signs))
    return [framework.signbit(r).tolist() for r in results]


@pytest.mark.parametrize("dtype", DTYPES)
def test_copysign_and_signbit_of_nan_match_torch(dtype):
    torch = pytest.importorskip("torch")
    assert _sign_bits(numbatorch, dtype) == _sign_bits(torch, dtype)


def test_copysign_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([1.5, -2.0, 0.0, 3.0])
    signs = np.array([-1.0, 2.0, -1.0, -0.0])
    grads = []
    for framework in (numbatorch, torch):
        t = framework.tensor(x, requires_grad=True)
        framework.copysign(t, framework.tensor(signs)).sum().backward()
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
