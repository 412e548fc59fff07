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


def check_module(nb_mod, th_mod, x, rtol=1e-7, atol=1e-9, args=(), th_args=None, seed=0):
    """Copy nb_mod's state into th_mod, run both on x (float64), compare output, input/parameter grads
    and buffers (running statistics) afterwards.  Returns the two outputs."""
    import torch
    nb_state = nb_mod.state_dict()
    assert list(nb_state) == list(th_mod.state_dict())
    th_mod.load_state_dict({k: torch.tensor(v.numpy()) for k, v in nb_state.items()})
    xn = numbatorch.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out_n = nb_mod(xn, *args)
    out_t = th_mod(xt, *(args if th_args is None else th_args))
    if isinstance(out_t, tuple):
        out_n, out_t = out_n[0], out_t[0]
    assert tuple(out_n.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_n.detach().numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(x.dtype)
    out_n.backward(numbatorch.tensor(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)
    th_params = dict(th_mod.named_parameters())
    for name, p in nb_mod.named_parameters():
        assert (p.grad is None) == (th_params[name].grad is None), name
        if p.grad is not None:
            np.testing.assert_allclose(p.grad.numpy(), th_params[name].grad.numpy(), rtol=rtol, atol=atol,
                                       err_msg=name)
    th_buffers = dict(th_mod.named_buffers())
    for name, b in nb_mod.named_buffers():
        np.testing.assert_allclose(b.numpy(), th_buffers[name].numpy(), rtol=rtol, atol=atol, err_msg=name)
    return out_n, out_t


def make_pair(nb_module, name, *args, **kwargs):
    """The same layer built in numbatorch (from nb_module) and torch.nn, both in float64."""
    import torch
    return getattr(nb_module, name)(*args, **kwargs).double(), getattr(torch.nn, name)(*args, **kwargs).double()


def rand(*shape, seed=0):
    """Standard-normal float64 array of ``shape`` from a seeded generator."""
    return np.random.default_rng(seed).standard_normal(shape)
