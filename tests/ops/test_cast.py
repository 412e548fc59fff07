"""dtype casts and copy_: values, gradients and errors against PyTorch."""
import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck


def test_cast_gradient_flows_back_in_source_dtype():
    x = numbatorch.tensor([1.5, -2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == numbatorch.float64
    y.sum().backward()
    assert x.grad.dtype == numbatorch.float32 and x.grad.tolist() == [3.0, 3.0]
    assert x.long().grad_fn is None and x.long().tolist() == [1, -2]


def test_copy_broadcasts_casts_and_passes_gradient_to_source():
    torch = pytest.importorskip("torch")
    src = np.array([1.0, 2.0, 3.0])
    results = []
    for lib in (numbatorch, torch):
        s = lib.tensor(src, requires_grad=True)
        target = lib.zeros(2, 3, dtype=lib.float32)
        out = target.copy_(s)
        assert out is target
        (target * lib.tensor([[1.0], [2.0]])).sum().backward()
        results.append((target.detach().numpy(), s.grad.numpy(), str(target.grad_fn is not None)))
    for nb, th in zip(*results):
        np.testing.assert_array_equal(nb, th)


def test_copy_gradcheck():
    s = numbatorch.tensor(np.arange(3.0), requires_grad=True)
    assert gradcheck(lambda t: numbatorch.zeros(4, 3, dtype=numbatorch.float64).copy_(t) * 2, (s,))


def test_copy_into_leaf_requiring_grad_raises_outside_no_grad():
    p = numbatorch.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p.copy_(numbatorch.ones(2))
    with numbatorch.no_grad():
        p.copy_(numbatorch.ones(2))
    assert p.tolist() == [1.0, 1.0]
