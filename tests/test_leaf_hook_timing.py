"""A leaf's gradient hooks run as soon as its gradient is final (PyTorch's AccumulateGrad), not after the whole
backward: DistributedDataParallel starts its bucketed all-reduces from them while backward goes on."""
import numpy as np
import pytest

import numbatorch as nt


def _hook_order(lib):
    events = []
    w1 = lib.ones(3, requires_grad=True)
    w2 = lib.full((3,), 2.0, requires_grad=True)
    x = lib.arange(3.0)
    h = (x * w1).tanh()
    h.register_hook(lambda g: events.append("h"))
    w1.register_hook(lambda g: events.append("w1"))
    w2.register_hook(lambda g: events.append("w2"))
    ((h * w2).sin()).sum().backward()
    return events


def test_leaf_hooks_fire_when_their_gradient_is_final():
    assert _hook_order(nt) == ["w2", "h", "w1"]


def test_leaf_hook_order_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert _hook_order(nt) == _hook_order(torch)


def test_leaf_used_twice_gets_one_hook_call_with_the_total():
    w = nt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.clone()))
    (w * w + 3 * w).sum().backward()
    assert len(seen) == 1
    assert seen[0].tolist() == (2 * w.detach() + 3).tolist()


def _last_consumer_gives_no_gradient(lib, last):
    class NoGrad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return None

    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.grad = lib.tensor([0.5, 0.5])
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.tolist()))
    a, b = w.exp(), NoGrad.apply(w)
    # the engine runs a node's inputs last-in first-out: ``last`` picks which consumer of w finishes it
    ((b + a) if last == "none" else (a + b)).sum().backward()
    return calls, w.grad.tolist()


@pytest.mark.parametrize("last", ["none", "gradient"])
def test_leaf_whose_last_consumer_gives_no_gradient_gets_the_others(last):
    torch = pytest.importorskip("torch")
    (ours, our_grad), (theirs, their_grad) = (_last_consumer_gives_no_gradient(lib, last) for lib in (nt, torch))
    assert len(ours) == len(theirs) == 1
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-6)
