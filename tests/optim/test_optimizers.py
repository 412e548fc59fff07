"""Optimizer trajectories compared with PyTorch step for step, plus the Optimizer base API."""
import pickle

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import optim
from numbatorch.nn.parameter import Parameter

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(amsgrad=True, betas=(0.3, 0.9))),
    ("Adamax", dict(weight_decay=0.1)),
    ("Adamax", dict(maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict()),
    ("RAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(centered=True, momentum=0.9, weight_decay=0.1)),
    ("Adagrad", dict(lr_decay=0.1, initial_accumulator_value=0.1, weight_decay=0.1)),
    ("Adagrad", dict(maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(weight_decay=0.1, maximize=True, rho=0.5)),
]


def _pair(torch, dtype, rng):
    arrays = [rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)]
    return ([torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays],
            [Parameter(nt.tensor(a.copy())) for a in arrays])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_trajectory_matches_torch(name, kwargs, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theirs, ours = _pair(torch, dtype, rng)
    # Two parameter groups with different options, as the tutorial does for weights and biases.
    t_opt = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], "weight_decay": 0.05}],
                                       **kwargs)
    o_opt = getattr(optim, name)([{"params": ours[:1]}, {"params": ours[1:], "weight_decay": 0.05}], **kwargs)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    for step in range(6):
        for t, o in zip(theirs, ours):
            g = rng.standard_normal(t.shape).astype(dtype)
            t.grad, o.grad = torch.tensor(g), nt.tensor(g)
        if step == 3:  # a parameter without grad is skipped
            theirs[1].grad = ours[1].grad = None
        t_opt.step()
        o_opt.step()
        for t, o in zip(theirs, ours):
            np.testing.assert_allclose(o._data, t.detach().numpy(), **tol)
    t_sd, o_sd = t_opt.state_dict(), o_opt.state_dict()
    assert o_sd["param_groups"] == t_sd["param_groups"]
    for idx, t_state in t_sd["state"].items():
        assert list(o_sd["state"][idx]) == list(t_state)
        for key, value in t_state.items():
            np.testing.assert_allclose(o_sd["state"][idx][key]._data, value.numpy(), **tol)
            assert o_sd["state"][idx][key].dtype.name == str(value.dtype).replace("torch.", "")


def test_closure_and_zero_grad():
    p = Parameter(nt.tensor([1.0, 2.0]))
    opt = optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        p.grad = nt.tensor([1.0, 1.0])
        return 3.0

    assert opt.step(closure) == 3.0
    np.testing.assert_allclose(p._data, [0.5, 1.5])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad._data, [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_add_param_group_errors_match_torch():
    torch = pytest.importorskip("torch")

    def errors(fw, param_cls, opt_mod):
        a, b = param_cls(fw.zeros(2)), param_cls(fw.zeros(2))
        out = []
        for call in (lambda: opt_mod.SGD(a), lambda: opt_mod.SGD([]), lambda: opt_mod.SGD([{"params": {a}}]),
                     lambda: opt_mod.SGD([a], lr=-1), lambda: opt_mod.Adam([a], betas=(1.0, 0.9)),
                     lambda: opt_mod.SGD([a], momentum=0.5, nesterov=True, dampening=0.1),
                     lambda: opt_mod.SGD([a], lr=0.1).add_param_group({"params": [a]}),
                     lambda: opt_mod.SGD([a], lr=0.1).add_param_group([b]),
                     lambda: opt_mod.SGD([a * 2], lr=0.1)):
            with pytest.raises((TypeError, ValueError)) as e:
                call()
            out.append((type(e.value), str(e.value).replace("numbatorch", "torch")))
        return out

    assert errors(nt, Parameter, optim) == errors(torch, torch.nn.Parameter, torch.optim)


def test_state_dict_load_roundtrip_and_from_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    theirs, ours = _pair(torch, np.float32, rng)
    t_opt, o_opt = torch.optim.Adam(theirs, lr=0.01), optim.Adam(ours, lr=0.01)
    for _ in range(3):
        for t, o in zip(theirs, ours):
            g = rng.standard_normal(t.shape).astype(np.float32)
            t.grad, o.grad = torch.tensor(g), nt.tensor(g)
        t_opt.step()
        o_opt.step()
    # Load PyTorch's optimizer state (converted tensor by tensor) into a fresh numbatorch optimizer.
    t_sd = t_opt.state_dict()
    converted = {"state": {k: {n: nt.tensor(v.numpy()) for n, v in s.items()} for k, s in t_sd["state"].items()},
                 "param_groups": t_sd["param_groups"]}
    fresh = [Parameter(nt.tensor(o._data.copy())) for o in ours]
    o2 = optim.Adam(fresh, lr=0.5)
    o2.load_state_dict(converted)
    assert o2.param_groups[0]["lr"] == 0.01 and o2.param_groups[0]["params"] == fresh
    for t, o, f in zip(theirs, ours, fresh):
        g = rng.standard_normal(t.shape).astype(np.float32)
        t.grad, o.grad, f.grad = torch.tensor(g), nt.tensor(g), nt.tensor(g)
    t_opt.step()
    o_opt.step()
    o2.step()
    for t, o, f in zip(theirs, ours, fresh):
        np.testing.assert_allclose(f._data, t.detach().numpy(), rtol=2e-5, atol=2e-6)
        np.testing.assert_allclose(o._data, f._data, rtol=0, atol=0)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        o2.load_state_dict({"state": {}, "param_groups": []})
    assert pickle.loads(pickle.dumps(o2.state_dict()))["param_groups"][0]["lr"] == 0.01


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    assert repr(optim.RMSprop([Parameter(nt.zeros(1))], lr=0.5, centered=True)) == \
        repr(torch.optim.RMSprop([torch.nn.Parameter(torch.zeros(1))], lr=0.5, centered=True))


def test_step_hooks_and_named_params():
    p = Parameter(nt.zeros(2))
    opt = optim.SGD([("w", p)], lr=1.0)
    assert opt.param_groups[0]["param_names"] == ["w"]
    calls = []
    h = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    p.grad = nt.ones(2)
    opt.step()
    h.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]
