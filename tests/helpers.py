"""Shared test helpers: run the same computation in numbatorch and PyTorch and compare, and gradcheck."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck


def as_outputs(res):
    """A result as a list of outputs (tuples and lists of Tensors, or one Tensor)."""
    return list(res) if isinstance(res, (tuple, list)) else [res]


def dtype_name(d):
    """A dtype's name without its module: the same string for numbatorch and PyTorch dtypes."""
    return str(d).split(".")[-1]


def compare_with_torch(fn, *arrays, grad=True, names=True, tol=1e-12):
    """Run ``fn(lib, *tensors)`` in numbatorch and PyTorch on the same arrays; compare every output (dtype,
    shape, values, NaN positions), which outputs require grad, their grad_fn names (with ``names``) and, for a
    random upstream gradient, the gradients of the float inputs (with ``grad``)."""
    torch = pytest.importorskip("torch")
    grads = [grad and a.dtype.kind == "f" for a in arrays]
    xs = [nt.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    txs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    outs, touts = as_outputs(fn(nt, *xs)), as_outputs(fn(torch, *txs))
    assert len(outs) == len(touts)
    for o, to in zip(outs, touts):
        assert dtype_name(o.dtype) == dtype_name(to.dtype)
        assert tuple(o.shape) == tuple(to.shape)
        np.testing.assert_allclose(o.detach().numpy(), to.detach().numpy(), rtol=tol, atol=tol, equal_nan=True)
    if not any(grads):
        return
    assert [o.requires_grad for o in outs] == [to.requires_grad for to in touts]
    pairs = [(o, to) for o, to in zip(outs, touts) if to.requires_grad]
    if not pairs:
        return
    if names:
        for o, to in pairs:
            assert o.grad_fn.name() == to.grad_fn.name()
    rng = np.random.default_rng(1)
    seeds = [rng.standard_normal(tuple(o.shape)) for o, _ in pairs]
    nt.autograd.backward([o for o, _ in pairs], [nt.tensor(s, dtype=o.dtype) for s, (o, _) in zip(seeds, pairs)])
    torch.autograd.backward([to for _, to in pairs],
                            [torch.tensor(s, dtype=to.dtype) for s, (_, to) in zip(seeds, pairs)])
    for x, tx in zip(xs, txs):
        if tx.requires_grad:
            if tx.grad is None:
                assert x.grad is None or not x.grad.numpy().any()
            else:
                np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol, equal_nan=True)


def check_grad(fn, *arrays):
    """Finite-difference gradcheck of ``fn(numbatorch, *tensors)`` at float64 ``arrays``."""
    xs = [nt.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *t: fn(nt, *t), xs)
