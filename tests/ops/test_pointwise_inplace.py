"""In-place elementwise ops: values, gradients, version counters and errors against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

from ._pointwise_pairs import _pair, _torch, _uniform


INPLACE = [("exp_", (), -1, 1), ("sigmoid_", (), -2, 2), ("tanh_", (), -2, 2), ("sqrt_", (), 0.5, 2),
           ("log_", (), 0.5, 2), ("sin_", (), -2, 2), ("abs_", (), 0.2, 2), ("relu_", (), 0.2, 2),
           ("clamp_", (-0.5, 0.5), -1, 1), ("clamp_min_", (0.0,), -1, 1), ("floor_", (), -3, 3),
           ("round_", (), -3, 3), ("square_", (), -2, 2), ("erfinv_", (), -0.9, 0.9), ("frac_", (), -3, 3),
           ("reciprocal_", (), 0.5, 2), ("logit_", (), 0.1, 0.9), ("nan_to_num_", (), -1, 1),
           ("sign_", (), -1, 1), ("trunc_", (), -3, 3), ("erf_", (), -1, 1), ("rsqrt_", (), 0.5, 2)]


@pytest.mark.parametrize("name,args,low,high", INPLACE)
def test_inplace_on_non_leaf_matches_torch(name, args, low, high):
    torch = _torch()
    arr = _uniform(low, high)
    x, t = _pair(arr)
    y, u = x * 2, t * 2
    ry, ru = getattr(y, name)(*args), getattr(u, name)(*args)
    assert ry is y
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-12)
    assert y.grad_fn.name() == u.grad_fn.name()
    y.backward(nt.tensor(np.ones(arr.shape)))
    u.backward(torch.ones(arr.shape, dtype=torch.float64))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10)


def test_inplace_binary_ops_on_non_leaf():
    torch = _torch()
    a, b, c = _uniform(0.5, 1, (2, 3)), _uniform(0.5, 1, (3,)), _uniform(0.5, 1, (2, 3))
    for name, extra in (("lerp_", (0.3,)), ("addcmul_", ("c",)), ("addcdiv_", ("c",)), ("atan2_", ()),
                        ("hypot_", ()), ("xlogy_", ())):
        (x, t), (y, u), (z, v) = _pair(a), _pair(b), _pair(c)
        nb_args = [y] + [z if e == "c" else e for e in extra]
        th_args = [u] + [v if e == "c" else e for e in extra]
        p, q = x * 1, t * 1
        getattr(p, name)(*nb_args)
        getattr(q, name)(*th_args)
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)
        p.backward(nt.tensor(np.ones(a.shape)))
        q.backward(torch.ones(a.shape, dtype=torch.float64))
        for m, n in ((x, t), (y, u), (z, v)):
            if n.grad is not None:
                np.testing.assert_allclose(m.grad.numpy(), n.grad.numpy(), rtol=1e-10)


def test_inplace_semantics():
    x = nt.tensor([0.5, -1.0, 2.0])
    version = x._version
    assert x.clamp_(0, 1) is x
    np.testing.assert_array_equal(x.numpy(), np.array([0.5, 0.0, 1.0], dtype=np.float32))
    assert x._version == version + 1
    assert nt.relu_(nt.tensor([-1.0, 1.0])).tolist() == [0.0, 1.0]
    leaf = nt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        leaf.exp_()
    with nt.no_grad():
        leaf.exp_()
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        nt.tensor([1, 2]).exp_()
    i = nt.tensor([-3, 4])
    i.abs_()
    assert i.tolist() == [3, 4] and i.dtype is nt.int64


def test_modifying_a_saved_output_raises_at_backward():
    for name in ("exp", "tanh", "sigmoid", "sqrt", "relu"):
        x = nt.tensor([0.5, 1.0], requires_grad=True)
        y = getattr(x, name)()
        y.clamp_(max=10.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward(nt.ones(2))
    x = nt.tensor([0.5, 1.0], requires_grad=True)
    base = x * 1
    y = base.sin()
    base.clamp_(min=0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(nt.ones(2))
