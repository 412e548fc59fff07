"""Adafactor trajectories and the swa_utils (AveragedModel, SWALR, update_bn) against PyTorch."""
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import optim
from numbatorch.nn.parameter import Parameter

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=1.5,
                                                 weight_decay=0.1, maximize=True)])
def test_adafactor_matches_torch(kwargs, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
    ours = [Parameter(nt.tensor(a.copy())) for a in arrays]
    t_opt, o_opt = torch.optim.Adafactor(theirs, **kwargs), optim.Adafactor(ours, **kwargs)
    tol = dict(rtol=1e-11, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    for _ in range(5):
        for t, o in zip(theirs, ours):
            g = rng.standard_normal(t.shape).astype(dtype)
            t.grad, o.grad = torch.tensor(g), nt.tensor(g)
        t_opt.step()
        o_opt.step()
        for t, o in zip(theirs, ours):
            np.testing.assert_allclose(o._data, t.detach().numpy(), **tol)
    t_sd, o_sd = t_opt.state_dict(), o_opt.state_dict()
    assert o_sd["param_groups"] == t_sd["param_groups"]
    for idx, state in t_sd["state"].items():
        assert sorted(o_sd["state"][idx]) == sorted(state)
        for key, value in state.items():
            np.testing.assert_allclose(o_sd["state"][idx][key]._data, value.numpy(), **tol)


def _net(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 1)).double()


@pytest.mark.parametrize("mode", ["swa", "ema", "ema_multi", "swa_multi", "buffers"])
def test_averaged_model_matches_torch(mode):
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(p.shape)) for p in _net(torch).parameters()]
    results = []
    for lib in (torch, nt):
        model = _net(lib)
        with lib.no_grad():
            for p, w in zip(model.parameters(), weights):
                p.copy_(lib.tensor(w))
        utils = lib.optim.swa_utils
        kwargs = {"swa": {}, "ema": {"avg_fn": utils.get_ema_avg_fn(0.9)},
                  "ema_multi": {"multi_avg_fn": utils.get_ema_multi_avg_fn(0.8)},
                  "swa_multi": {"multi_avg_fn": utils.get_swa_multi_avg_fn()}, "buffers": {"use_buffers": True}}[mode]
        averaged = utils.AveragedModel(model, **kwargs)
        step_rng = np.random.default_rng(2)
        for _ in range(4):
            with lib.no_grad():
                for p in model.parameters():
                    p.add_(lib.tensor(step_rng.standard_normal(tuple(p.shape))))
            model(lib.tensor(step_rng.standard_normal((5, 3))))  # moves the BatchNorm running stats
            averaged.update_parameters(model)
        results.append(averaged.state_dict())
    theirs, ours = results
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        np.testing.assert_allclose(ours[key].numpy(), value.numpy(), rtol=1e-12, err_msg=key)


def test_update_bn_matches_torch():
    data = [np.random.default_rng(3).standard_normal((6, 3)) for _ in range(3)]
    stats = []
    weights = {k: v.numpy() for k, v in _net(torch).state_dict().items()}
    for lib in (torch, nt):
        model = _net(lib)
        model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
        lib.optim.swa_utils.update_bn([(lib.tensor(x), 0) for x in data], model)
        bn = model[1]
        stats.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(), bn.momentum, model.training))
    np.testing.assert_allclose(stats[1][0], stats[0][0], rtol=1e-12)
    np.testing.assert_allclose(stats[1][1], stats[0][1], rtol=1e-12)
    assert stats[1][2:] == stats[0][2:]


@pytest.mark.parametrize("strategy,epochs", [("cos", 3), ("linear", 4), ("cos", 0)])
def test_swalr_matches_torch(strategy, epochs):
    lrs = []
    for lib, module in ((torch, torch.optim), (nt, optim)):
        params = [lib.nn.Parameter(lib.zeros(2))]
        opt = module.SGD([{"params": params}, {"params": [lib.nn.Parameter(lib.zeros(1))], "lr": 0.5}], lr=1.0)
        sched = module.swa_utils.SWALR(opt, swa_lr=[0.05, 0.1], anneal_epochs=epochs, anneal_strategy=strategy)
        seen = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(6):
                opt.step()
                sched.step()
                seen.append(sched.get_last_lr())
        lrs.append(seen)
    np.testing.assert_allclose(lrs[1], lrs[0], rtol=1e-12)
    with pytest.raises(ValueError, match="anneal_strategy"):
        optim.swa_utils.SWALR(opt, 0.1, anneal_strategy="step")
