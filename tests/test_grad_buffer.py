"""The engine sums gradients in place into arrays nobody else holds, and lets a leaf's ``.grad`` take such an
array without a copy: gradients, seeds, hook-held gradients and saved values must come out as in PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
X = rng.standard_normal((64, 64))
W = rng.standard_normal((64, 64)) / 8
SEED = rng.standard_normal((64, 64))


def _chain(lib, seen):
    """A tensor used several times (through matmul, tanh, a pass-through add), a hook keeping a gradient, a
    user-held seed used for two backward passes; returns everything that must equal PyTorch's."""
    x = lib.tensor(X, requires_grad=True)
    w = lib.tensor(W, requires_grad=True)
    seed = lib.tensor(SEED)
    z = x
    for _ in range(3):
        z = lib.tanh(z @ w) * 0.5 + z
        z.register_hook(lambda g: seen.append(g))
    y = z + x * 2 + x
    y.backward(seed, retain_graph=True)
    first = [x.grad.clone(), w.grad.clone()]
    y.backward(seed)
    return first + [x.grad, w.grad, seed] + seen


def test_gradients_summed_in_place_equal_pytorch():
    ours, theirs = _chain(nt, []), _chain(torch, [])
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_same_array_returned_for_two_inputs_is_not_written_through():
    """A custom backward handing one array (also saved) to two inputs: summing into it would corrupt both."""
    def run(lib):
        class Twice(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a)
                return a * b

            @staticmethod
            def backward(ctx, g):
                return g, g

        a = lib.tensor(X[:4, :4], requires_grad=True)
        b = lib.tensor(W[:4, :4], requires_grad=True)
        out = Twice.apply(a, b) + Twice.apply(a, a) * 3
        out.backward(lib.tensor(SEED[:4, :4]))
        return a.grad, b.grad

    for ours, theirs in zip(run(nt), run(torch)):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_leaf_grad_does_not_share_memory_with_a_kept_gradient():
    """A gradient a hook kept must not change when ``.grad`` is accumulated into on the next backward."""
    def run(lib):
        kept = []
        x = lib.tensor(X[:3, :3], requires_grad=True)
        x.register_hook(lambda g: kept.append(g))
        for _ in range(2):
            (x * 3).sum().backward()
        return [x.grad] + kept

    for ours, theirs in zip(run(nt), run(torch)):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


class _ReshapedGradient(nt.autograd.Function):
    """Identity whose backward returns a reshaped view of a fresh flat array (as elementwise kernels do), which
    ``keep`` may also hold."""

    keep = []
    made = []

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        flat = grad.detach().numpy().reshape(-1) * 2  # a fresh array of its own
        _ReshapedGradient.made.append(id(flat))
        if _ReshapedGradient.keep is not None:
            _ReshapedGradient.keep.append(flat)
        return nt.from_numpy(flat).reshape(grad.shape)


@pytest.mark.parametrize("held_elsewhere", [False, True])
def test_a_reshaped_view_of_an_unshared_array_becomes_the_grad_without_a_copy(held_elsewhere):
    _ReshapedGradient.keep = [] if held_elsewhere else None
    _ReshapedGradient.made = []
    x = nt.randn(64, 64, requires_grad=True)
    _ReshapedGradient.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((64, 64), 2.0, np.float32))
    took_it = x.grad.numpy().base is not None and id(x.grad.numpy().base) == _ReshapedGradient.made[0]
    assert took_it is not held_elsewhere
    if held_elsewhere:  # the other holder's array is not the gradient: writing it leaves .grad alone
        _ReshapedGradient.keep[0][:] = 0
        assert x.grad.numpy().min() == 2.0
