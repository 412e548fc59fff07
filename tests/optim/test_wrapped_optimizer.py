"""An Optimizer subclass that wraps another without running Optimizer.__init__ (accelerate's AcceleratedOptimizer
pattern) steps like in PyTorch."""
import numpy as np
import pytest

import numbatorch as nt


def _wrapper_class(optim_module):
    class WrappedOptimizer(optim_module.Optimizer):
        def __init__(self, optimizer):
            self.optimizer = optimizer  # deliberately no Optimizer.__init__, as accelerate does

        @property
        def param_groups(self):
            return self.optimizer.param_groups

        def zero_grad(self, set_to_none=True):
            self.optimizer.zero_grad(set_to_none=set_to_none)

        def step(self, closure=None):
            return self.optimizer.step(closure)

    return WrappedOptimizer


def _train(lib, weights):
    model = lib.nn.Linear(3, 2)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(weights[0]))
        model.bias.copy_(lib.tensor(weights[1]))
    inner = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    calls = []
    inner.register_step_post_hook(lambda opt, args, kwargs: calls.append(1))
    opt = _wrapper_class(lib.optim)(inner)
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
    return model.weight.detach().numpy(), len(calls)


def test_wrapper_without_optimizer_init_steps_like_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    weights = (rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(2).astype(np.float32))
    ours, our_calls = _train(nt, weights)
    theirs, their_calls = _train(torch, weights)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    assert our_calls == their_calls == 3
