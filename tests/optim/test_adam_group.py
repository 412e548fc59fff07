"""Adam's one-pass update of a parameter group against PyTorch, with parameters of both float dtypes, a strided
gradient (numpy's passes) and different step counts (the per-parameter path) in one group."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import optim
from numbatorch.nn.parameter import Parameter


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.01)), ("Adam", dict(weight_decay=0.1, maximize=True)),
                                         ("AdamW", dict(lr=0.01)), ("Adam", dict(amsgrad=True))])
def test_mixed_group_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(5).astype(np.float32), rng.standard_normal(4)]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
    ours = [Parameter(nt.tensor(a.copy())) for a in arrays]
    t_opt, o_opt = getattr(torch.optim, name)(theirs, **kwargs), getattr(optim, name)(ours, **kwargs)
    for step in range(5):
        for i, (t, o) in enumerate(zip(theirs, ours)):
            if i == 2:  # a strided gradient: numpy's passes instead of the fused kernel
                g = rng.standard_normal(8)
                t.grad, o.grad = torch.tensor(g)[::2], nt.tensor(g)[::2]
            else:
                g = rng.standard_normal(t.shape).astype(arrays[i].dtype)
                t.grad, o.grad = torch.tensor(g), nt.tensor(g)
        if step == 1:  # the first parameter falls a step behind: the group's steps differ from here on
            theirs[0].grad = ours[0].grad = None
        t_opt.step()
        o_opt.step()
        for t, o in zip(theirs, ours):
            tol = 1e-12 if t.dtype == torch.float64 else 2e-5
            np.testing.assert_allclose(o._data.astype(np.float64), t.detach().double().numpy(), rtol=tol, atol=tol)
