"""Helpers to run the same computation in numbatorch and PyTorch and compare values and gradients."""
import numpy as np

import numbatorch


def leaves(arrays, torch=None, grad_inputs=None):
    """numbatorch (and optionally torch) leaf tensors built from the same arrays.

    Float arrays require grad, or only those whose positions are in ``grad_inputs`` when it is given.
    """
    wants = [a.dtype.kind == "f" and (grad_inputs is None or i in grad_inputs) for i, a in enumerate(arrays)]
    nb = [numbatorch.tensor(a, requires_grad=w) for a, w in zip(arrays, wants)]
    if torch is None:
        return nb
    th = [torch.tensor(a, requires_grad=w) for a, w in zip(arrays, wants)]
    return nb, th


def assert_same(nb_fn, th_fn, arrays, torch, rtol=1e-5, atol=1e-6, grad_inputs=None):
    """Forward values and the gradients of the float inputs (or of ``grad_inputs``) agree between frameworks."""
    nb, th = leaves(arrays, torch, grad_inputs)
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
