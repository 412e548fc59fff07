"""Learning-rate sequences of every scheduler compared with PyTorch's."""
import pytest

import numbatorch as nt
from numbatorch import optim
from numbatorch.nn.parameter import Parameter
from numbatorch.optim import lr_scheduler as sched

SCHEDULERS = [
    ("LambdaLR", lambda m, o: m.LambdaLR(o, lr_lambda=lambda e: 0.9 ** e + 0.01 * e)),
    ("LambdaLR-list", lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.5])),
    ("MultiplicativeLR", lambda m, o: m.MultiplicativeLR(o, lr_lambda=lambda e: 0.95)),
    ("StepLR", lambda m, o: m.StepLR(o, step_size=3, gamma=0.5)),
    ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ConstantLR", lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=4)),
    ("LinearLR", lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=6)),
    ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=5, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)),
    ("CyclicLR", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2")),
    ("CyclicLR-exp", lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=4,
                                             mode="exp_range", gamma=0.9)),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=20)),
    ("OneCycleLR-3", lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=5, three_phase=True,
                                               anneal_strategy="linear")),
    ("PolynomialLR", lambda m, o: m.PolynomialLR(o, total_iters=6, power=2.0)),
    ("SequentialLR", lambda m, o: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.1, total_iters=3),
                                                     m.ExponentialLR(o, gamma=0.8)], milestones=[4])),
    ("ChainedScheduler", lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.5, total_iters=3),
                                                          m.ExponentialLR(o, gamma=0.9)])),
]


def _optimizers(torch, name):
    kind = "SGD" if "Cyclic" in name or "OneCycle" in name else "Adam"
    kw = dict(lr=0.1, momentum=0.9) if kind == "SGD" else dict(lr=0.1)
    t_params = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(2))]
    o_params = [Parameter(nt.zeros(2)), Parameter(nt.zeros(2))]
    t_opt = getattr(torch.optim, kind)([{"params": t_params[:1]}, {"params": t_params[1:], "lr": 0.05}], **kw)
    o_opt = getattr(optim, kind)([{"params": o_params[:1]}, {"params": o_params[1:], "lr": 0.05}], **kw)
    return t_opt, o_opt


@pytest.mark.parametrize("name,make", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_lr_sequence_matches_torch(name, make):
    torch = pytest.importorskip("torch")
    t_opt, o_opt = _optimizers(torch, name)
    t_s, o_s = make(torch.optim.lr_scheduler, t_opt), make(sched, o_opt)
    momentum_key = "momentum" if "momentum" in t_opt.defaults else "betas"
    for _ in range(19):
        assert o_s.get_last_lr() == t_s.get_last_lr()
        assert [g["lr"] for g in o_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
        assert [g[momentum_key] for g in o_opt.param_groups] == [g[momentum_key] for g in t_opt.param_groups]
        t_opt.step()
        o_opt.step()
        t_s.step()
        o_s.step()
    assert getattr(o_s, "last_epoch", None) == getattr(t_s, "last_epoch", None)


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.95, 0.95, 0.94, 0.96, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.4]
    for kwargs in (dict(patience=1, factor=0.5, cooldown=1, min_lr=0.02),
                   dict(mode="max", patience=0, threshold=0.1, threshold_mode="abs")):
        t_opt, o_opt = _optimizers(torch, "plateau")
        t_s = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **kwargs)
        o_s = sched.ReduceLROnPlateau(o_opt, **kwargs)
        for m in metrics:
            t_s.step(m)
            o_s.step(m)
            assert o_s.get_last_lr() == t_s.get_last_lr()
            assert (o_s.num_bad_epochs, o_s.cooldown_counter, o_s.best) == \
                (t_s.num_bad_epochs, t_s.cooldown_counter, t_s.best)


def test_state_dict_resume():
    torch = pytest.importorskip("torch")
    t_opt, o_opt = _optimizers(torch, "Adam")
    o_s = sched.StepLR(o_opt, step_size=2, gamma=0.5)
    for _ in range(3):
        o_opt.step()
        o_s.step()
    state = o_s.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    t_s = torch.optim.lr_scheduler.StepLR(t_opt, step_size=2, gamma=0.5)
    assert set(state) == set(t_s.state_dict())
    _, o_opt2 = _optimizers(torch, "Adam")
    o_s2 = sched.StepLR(o_opt2, step_size=2, gamma=0.5)
    o_s2.load_state_dict(state)
    o_opt2.param_groups[0]["lr"] = o_opt.param_groups[0]["lr"]
    o_s.step()
    o_s2.step()
    assert o_s2.last_epoch == o_s.last_epoch == 4
    assert o_s2.get_last_lr()[0] == o_s.get_last_lr()[0]


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    t_opt, o_opt = _optimizers(torch, "Adam")
    for call in (lambda m, o: m.ConstantLR(o, factor=2.0), lambda m, o: m.LinearLR(o, start_factor=0),
                 lambda m, o: m.LambdaLR(o, [lambda e: 1.0]), lambda m, o: m.OneCycleLR(o, max_lr=0.1),
                 lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0), lambda m, o: m.ReduceLROnPlateau(o, "up")):
        with pytest.raises(ValueError) as theirs:
            call(torch.optim.lr_scheduler, t_opt)
        with pytest.raises(ValueError) as ours:
            call(sched, o_opt)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        sched.StepLR(object(), 2)
    with pytest.warns(UserWarning, match="before `optimizer.step"):
        _, fresh = _optimizers(torch, "Adam")
        sched.ExponentialLR(fresh, 0.9).step()
