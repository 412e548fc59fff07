"""optim.Muon trajectories and state against PyTorch step for step, and swap_in_optimizer_params_and_state."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import optim
from numbatorch.nn.parameter import Parameter

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.05, weight_decay=0.0, momentum=0.9, nesterov=False),
                                    dict(lr=0.02, adjust_lr_fn="match_rms_adamw", ns_steps=3, eps=1e-5)])
def test_muon_trajectory_matches_torch(kwargs, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((5, 3)).astype(dtype), rng.standard_normal((2, 4)).astype(dtype)]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
    ours = [Parameter(nt.tensor(a.copy())) for a in arrays]
    t_opt, o_opt = torch.optim.Muon(theirs, **kwargs), optim.Muon(ours, **kwargs)
    for _ in range(4):
        for t, o in zip(theirs, ours):
            g = rng.standard_normal(tuple(t.shape)).astype(dtype)
            t.grad, o.grad = torch.tensor(g), nt.tensor(g)
        t_opt.step()
        o_opt.step()
        for t, o in zip(theirs, ours):
            # the Newton-Schulz iteration runs in bfloat16 in both: equal up to float32 rounding of the update
            np.testing.assert_allclose(o._data, t.detach().numpy(), rtol=1e-6, atol=1e-7)
    t_sd, o_sd = t_opt.state_dict(), o_opt.state_dict()
    assert o_sd["param_groups"] == t_sd["param_groups"]
    for idx, state in t_sd["state"].items():
        np.testing.assert_allclose(o_sd["state"][idx]["momentum_buffer"].numpy(), state["momentum_buffer"].numpy(),
                                   rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("args,kwargs", [(((3,),), {}), (((2, 2),), dict(adjust_lr_fn="other")),
                                         (((2, 2),), dict(lr=-1.0)), (((2, 2),), dict(momentum=-0.5)),
                                         (((2, 2),), dict(weight_decay=-0.1))])
def test_muon_errors_match_torch(args, kwargs):
    messages = []
    for lib in (nt, torch):
        with pytest.raises(ValueError) as info:
            lib.optim.Muon([lib.nn.Parameter(lib.zeros(*args[0]))], **kwargs)
        messages.append(str(info.value).replace("numbatorch.Size", "torch.Size"))
    assert messages[0] == messages[1]


def _adam_after_one_step(lib, weights, grads):
    params = [lib.nn.Parameter(lib.tensor(w)) for w in weights]
    opt = lib.optim.Adam(params, lr=0.1)
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g)
    opt.step()
    return params, opt


def test_swap_in_steps_other_params_and_state_like_torch():
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    grads = [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    others = [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    results = []
    for lib in (nt, torch):
        params, opt = _adam_after_one_step(lib, weights, grads)
        live_before = [p.detach().numpy().copy() for p in params]
        live_state = opt.state
        osd = opt.state_dict()
        osd["param_groups"][0]["lr"] = 0.5
        swapped = {"w": lib.nn.Parameter(lib.tensor(others[0])), "b": lib.nn.Parameter(lib.tensor(others[1]))}
        for p, g in zip(swapped.values(), grads):
            p.grad = lib.tensor(g)
        with lib.optim.swap_in_optimizer_params_and_state(opt, swapped, osd):
            assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"][0] is swapped["w"]
            opt.step()
        assert opt.state is live_state and opt.param_groups[0]["lr"] == 0.1
        assert opt.param_groups[0]["params"][0] is params[0]
        for p, before in zip(params, live_before):
            np.testing.assert_array_equal(p.detach().numpy(), before)
        results.append([p.detach().numpy() for p in swapped.values()]
                       + [osd["state"][i][k].numpy() for i in (0, 1) for k in ("exp_avg", "exp_avg_sq", "step")])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_swap_in_needs_initialized_state():
    for lib in (nt, torch):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.Adam([p])
        with pytest.raises(RuntimeError, match="requires initialized optimizer state"):
            with lib.optim.swap_in_optimizer_params_and_state(opt, {"p": p}, opt.state_dict()):
                pass
