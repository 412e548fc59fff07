"""``weight`` of mse_loss, l1_loss and huber_loss against PyTorch: values and gradients for input, target and
weight in every reduction, the size check, and huber's delta check."""
import numpy as np
import pytest

import numbatorch as nt
import numbatorch.nn.functional as F

LOSSES = ["mse_loss", "l1_loss", "huber_loss"]


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("size", [(3, 5), (200, 700)])  # the small path and the fused kernels' (560 KiB)
def test_matches_torch(name, reduction, size):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(size).astype(np.float32), rng.standard_normal(size).astype(np.float32)
    w = rng.random(size).astype(np.float32)
    ours = [nt.tensor(a, requires_grad=True) for a in (x, y, w)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, y, w)]
    out = getattr(F, name)(*ours[:2], reduction=reduction, weight=ours[2])
    expected = getattr(torch.nn.functional, name)(*theirs[:2], reduction=reduction, weight=theirs[2])
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=2e-5, atol=1e-6)
    seed = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(nt.tensor(seed))
    expected.backward(torch.tensor(seed))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", LOSSES)
def test_errors_as_torch(name):
    torch = pytest.importorskip("torch")
    for lib, fn in ((nt, getattr(F, name)), (torch, getattr(torch.nn.functional, name))):
        x, y = lib.zeros(4), lib.ones(4)
        with pytest.raises(ValueError, match="Weights and input must have the same size."):
            fn(x, y, weight=lib.ones(2))
        with pytest.raises(ValueError, match="Invalid reduction mode: bad. Expected one of 'none', 'mean', 'sum'."):
            fn(x, y, weight=lib.ones(4), reduction="bad")
    if name == "huber_loss":
        for delta in (0.0, -1.0):
            with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values for delta."):
                F.huber_loss(nt.zeros(4), nt.ones(4), delta=delta)
