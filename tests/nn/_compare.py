"""Helpers to run the same computation in numbatorch and PyTorch and compare values and gradients."""
import numpy as np

import numbatorch


def leaves(arrays, torch=None):
    """numbatorch (and optionally torch) leaf tensors requiring grad, built from the same float arrays."""
    nb = [numbatorch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    if torch is None:
        return nb
    th = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    return nb, th


def assert_same(nb_fn, th_fn, arrays, torch, rtol=1e-5, atol=1e-6):
    """Forward values and the gradients of every float input agree between the two frameworks."""
    nb, th = leaves(arrays, torch)
    out_nb = nb_fn(*nb)
    out_th = th_fn(*th)
    np.testing.assert_allclose(out_nb.detach().numpy(), out_th.detach().numpy(), rtol=rtol, atol=atol)
    seed = np.random.default_rng(1).standard_normal(tuple(out_th.shape)).astype(arrays[0].dtype)
    out_nb.backward(numbatorch.tensor(seed))
    out_th.backward(torch.tensor(seed))
    for a, b in zip(nb, th):
        if b.requires_grad:
            assert (a.grad is None) == (b.grad is None)
            if b.grad is not None:
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)
