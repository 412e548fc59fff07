"""nn.utils: gradient clipping and parameter/vector conversion compared with PyTorch."""
import math

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn.parameter import Parameter
from numbatorch.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from numbatorch.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters


def _pairs(torch, dtype, scale=1.0, with_none=True):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(3, 4), (4,), (2, 2)]]
    grads = [rng.standard_normal(a.shape).astype(dtype) * scale for a in arrays]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in arrays]
    ours = [Parameter(nt.tensor(a)) for a in arrays]
    for i, (t, o, g) in enumerate(zip(theirs, ours, grads)):
        if with_none and i == 2:
            continue  # a parameter without gradient is ignored
        t.grad, o.grad = torch.tensor(g), nt.tensor(g)
    return theirs, ours


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    torch = pytest.importorskip("torch")
    theirs, ours = _pairs(torch, dtype)
    t_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    o_total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(o_total._data, t_total.numpy(), rtol=rtol)
    assert o_total._data.dtype == t_total.numpy().dtype and o_total.ndim == 0
    for t, o in zip(theirs, ours):
        if t.grad is None:
            assert o.grad is None
        else:
            np.testing.assert_allclose(o.grad._data, t.grad.numpy(), rtol=rtol, atol=1e-7)


def test_clip_grad_norm_nonfinite_and_single_tensor():
    torch = pytest.importorskip("torch")
    p = Parameter(nt.ones(3))
    p.grad = nt.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError) as ours:
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    tp = torch.nn.Parameter(torch.ones(3))
    tp.grad = torch.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_(tp, 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)
    assert math.isnan(clip_grad_norm_(p, 1.0).item())
    assert clip_grad_norm_([Parameter(nt.ones(2))], 1.0).item() == 0.0


def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    theirs, ours = _pairs(torch, np.float32, scale=3.0)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    clip_grad_value_(ours, 1.5)
    for t, o in zip(theirs[:2], ours[:2]):
        np.testing.assert_array_equal(o.grad._data, t.grad.numpy())


def test_parameters_vector_roundtrip():
    torch = pytest.importorskip("torch")
    theirs, ours = _pairs(torch, np.float64)
    vec = parameters_to_vector(ours)
    np.testing.assert_array_equal(vec._data, torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    new = nt.tensor(np.arange(vec.numel(), dtype=np.float64))
    vector_to_parameters(new, ours)
    torch.nn.utils.vector_to_parameters(torch.arange(vec.numel(), dtype=torch.float64), theirs)
    for t, o in zip(theirs, ours):
        np.testing.assert_array_equal(o._data, t.detach().numpy())
        assert isinstance(o, Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got"):
        vector_to_parameters([1.0], ours)
