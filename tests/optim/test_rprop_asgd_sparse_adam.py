"""Rprop, ASGD and SparseAdam trajectories compared with PyTorch step for step (same weights and gradients)."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import optim
from numbatorch.nn.parameter import Parameter

torch = pytest.importorskip("torch")

CASES = [
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=2, weight_decay=0.1, maximize=True)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_trajectory_matches_torch(name, kwargs, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
    ours = [Parameter(nt.tensor(a.copy())) for a in arrays]
    t_opt = getattr(torch.optim, name)(theirs, **kwargs)
    o_opt = getattr(optim, name)(ours, **kwargs)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    for step in range(6):
        for t, o in zip(theirs, ours):
            # Repeated signs and sign flips exercise Rprop's step-size growth and shrinkage.
            g = (rng.standard_normal(t.shape) + (0.5 if step % 3 else -0.5)).astype(dtype)
            t.grad, o.grad = torch.tensor(g), nt.tensor(g)
        t_opt.step()
        o_opt.step()
        for t, o in zip(theirs, ours):
            np.testing.assert_allclose(o._data, t.detach().numpy(), **tol)
    t_sd, o_sd = t_opt.state_dict(), o_opt.state_dict()
    assert o_sd["param_groups"] == t_sd["param_groups"]
    for idx, t_state in t_sd["state"].items():
        assert sorted(o_sd["state"][idx]) == sorted(t_state)
        for key, value in t_state.items():
            np.testing.assert_allclose(o_sd["state"][idx][key]._data, value.numpy(), **tol)


def test_sparse_adam_on_embedding_rows_matches_torch_sparse_gradients():
    rng = np.random.default_rng(1)
    table = rng.standard_normal((6, 3))
    theirs = torch.nn.Embedding(6, 3, sparse=True)
    theirs.weight.data = torch.tensor(table)
    ours = nt.nn.Embedding(6, 3)
    ours.weight.data = nt.tensor(table)
    t_opt = torch.optim.SparseAdam(theirs.parameters(), lr=0.05, betas=(0.8, 0.9))
    o_opt = optim.SparseAdam(ours.parameters(), lr=0.05, betas=(0.8, 0.9))
    for step in range(5):
        index = rng.integers(0, 6, size=4)  # some rows are never looked up in a step: they must not move
        w = rng.standard_normal((4, 3))
        for module, opt, lib in ((theirs, t_opt, torch), (ours, o_opt, nt)):
            opt.zero_grad()
            (module(lib.tensor(index)) * lib.tensor(w)).sum().backward()
            opt.step()
        np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("expr", ["Rprop(p, lr=-1)", "Rprop(p, etas=(1.5, 1.2))", "ASGD(p, lr=-1)",
                                  "ASGD(p, weight_decay=-1)", "SparseAdam(p, lr=0)", "SparseAdam(p, eps=0)",
                                  "SparseAdam(p, betas=(1.0, 0.9))"])
def test_hyperparameter_errors_match_torch(expr):
    with pytest.raises(ValueError) as theirs:
        eval("torch.optim." + expr, {"torch": torch, "p": [torch.nn.Parameter(torch.ones(2))]})
    with pytest.raises(ValueError) as ours:
        eval("optim." + expr, {"optim": optim, "p": [Parameter(nt.ones(2))]})
    assert str(ours.value) == str(theirs.value)
