"""Module.to/.cuda/.cpu and optimizers on 'cuda': same Parameter objects, state on the parameter's device, the
same numbers as on the CPU."""
import copy

import numpy as np
import pytest

import numbatorch as torch
from numbatorch import nn

CUDA = torch.device("cuda", 0)
CPU = torch.device("cpu")


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def _mlp():
    """No simulated kernels inside (batch norm's are slow in the simulator): for the optimizer tests."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def _tensors(module):
    return list(module.parameters()) + list(module.buffers())


def test_module_to_round_trip_keeps_parameters_and_values():
    net = _net()
    params = list(net.parameters())
    net(torch.randn(5, 3)).sum().backward()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    grads = [p.grad.clone() for p in params]
    for move in (lambda m: m.cuda(), lambda m: m.to("cuda"), lambda m: m.to(0), lambda m: m.to(CUDA),
                 lambda m: m.to(torch.ones(1, device="cuda")), lambda m: m.to(device="cuda:0", non_blocking=True)):
        assert move(net) is net
        assert list(net.parameters()) == params and all(a is b for a, b in zip(net.parameters(), params))
        assert all(t.device == CUDA for t in _tensors(net)) and all(p.grad.device == CUDA for p in params)
        assert net.cpu() is net and all(t.device == CPU for t in _tensors(net))
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k]), k
    for p, g in zip(params, grads):
        assert torch.equal(p.grad, g)


def test_module_to_device_and_dtype_casts_only_floating_tensors():
    net = _net().to("cuda", torch.float64)
    assert all(p.device == CUDA and p.dtype == torch.float64 for p in net.parameters())
    assert net[1].num_batches_tracked.device == CUDA and net[1].num_batches_tracked.dtype == torch.int64
    net.to(torch.float32)
    assert all(p.device == CUDA and p.dtype == torch.float32 for p in net.parameters())


def test_module_on_cuda_computes_like_cpu():
    net = _net()
    x = torch.randn(6, 3)
    expected = net(x)
    got = copy.deepcopy(net).cuda()(x.cuda())
    assert got.device == CUDA
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)


OPTIMIZERS = [
    (torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    (torch.optim.AdamW, dict(lr=0.01)),
    (torch.optim.Adamax, dict(lr=0.01)),
    (torch.optim.NAdam, dict(lr=0.01)),
    (torch.optim.RAdam, dict(lr=0.01)),
    (torch.optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (torch.optim.Adagrad, dict(lr=0.1)),
    (torch.optim.Adadelta, dict(lr=1.0)),
    (torch.optim.ASGD, dict(lr=0.01)),
    (torch.optim.Rprop, dict(lr=0.01)),
    (torch.optim.Adafactor, dict(lr=0.01)),
]


# Scalar state PyTorch keeps on the CPU (optimizers without capturable/fused); ASGD keeps its scalars on the device.
CPU_SCALARS = {"step", "mu_product"}


def _steps(net, optimizer, x, steps=3):
    for _ in range(steps):
        optimizer.zero_grad()
        net(x).pow(2).mean().backward()
        optimizer.step()


def _assert_same_parameters(on_cuda, on_cpu):
    for (name, a), b in zip(on_cuda.named_parameters(), on_cpu.parameters()):
        assert a.device == CUDA
        np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("cls,options", OPTIMIZERS, ids=[c.__name__ for c, _ in OPTIMIZERS])
def test_optimizer_steps_on_device_like_cpu(cls, options):
    net, x = _mlp(), torch.randn(5, 3)
    on_cuda = copy.deepcopy(net).cuda()
    opt = cls(on_cuda.parameters(), **options)
    _steps(net, cls(net.parameters(), **options), x)
    _steps(on_cuda, opt, x.cuda())
    for name, param in on_cuda.named_parameters():
        for key, value in opt.state[param].items():
            if isinstance(value, torch.Tensor):
                on_cpu = key in CPU_SCALARS and cls is not torch.optim.ASGD
                assert value.device == (CPU if on_cpu else CUDA), (name, key)
    _assert_same_parameters(on_cuda, net)


@pytest.mark.parametrize("cls", [torch.optim.SGD, torch.optim.Adam])
def test_optimizer_built_before_module_cuda_keeps_working(cls):
    net, x = _mlp(), torch.randn(5, 3)
    on_cuda = copy.deepcopy(net)
    opt = cls(on_cuda.parameters(), lr=0.01, momentum=0.9) if cls is torch.optim.SGD else cls(on_cuda.parameters())
    on_cuda.cuda()  # the optimizer holds the same Parameter objects, now on 'cuda'
    _steps(on_cuda, opt, x.cuda())
    _steps(net, cls(net.parameters(), **opt.defaults), x)
    _assert_same_parameters(on_cuda, net)


def test_optimizer_load_state_dict_moves_state_to_the_parameters_device():
    net, x = _mlp(), torch.randn(5, 3)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    _steps(net, opt, x, steps=1)
    on_cuda = copy.deepcopy(net).cuda()
    opt_cuda = torch.optim.Adam(on_cuda.parameters(), lr=0.01)
    opt_cuda.load_state_dict(opt.state_dict())
    for param in on_cuda.parameters():
        state = opt_cuda.state[param]
        assert state["exp_avg"].device == CUDA and state["exp_avg_sq"].device == CUDA
        assert state["step"].device == CPU
    _steps(net, opt, x, steps=1)
    _steps(on_cuda, opt_cuda, x.cuda(), steps=1)
    _assert_same_parameters(on_cuda, net)
    back = torch.optim.Adam(net.parameters(), lr=0.01)
    back.load_state_dict(opt_cuda.state_dict())
    assert all(back.state[p]["exp_avg"].device == CPU for p in net.parameters())


def test_plateau_scheduler_reads_a_cuda_metric_like_a_cpu_one():
    losses = [1.0, 0.9, 0.95, 0.97, 0.99, 0.98]
    lrs = {}
    for device in ("cpu", "cuda"):
        opt = torch.optim.SGD(_mlp().to(device).parameters(), lr=1.0)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
        lrs[device] = []
        for loss in losses:
            sched.step(torch.tensor(loss, device=device))
            lrs[device].append(opt.param_groups[0]["lr"])
    assert lrs["cuda"] == lrs["cpu"] and lrs["cpu"][-1] < 1.0


def test_to_empty_moves_without_copying_like_torch():
    torch_ = pytest.importorskip("torch")
    net = _net()
    params = list(net.parameters())
    assert net.to_empty(device="cuda") is net and all(a is b for a, b in zip(net.parameters(), params))
    theirs = torch_.nn.Sequential(torch_.nn.Linear(3, 4), torch_.nn.BatchNorm1d(4), torch_.nn.Linear(4, 2))
    theirs.to_empty(device="cpu")
    for (name, ours), (_, ref) in zip(net.state_dict().items(), theirs.state_dict().items()):
        assert ours.device == CUDA and tuple(ours.shape) == tuple(ref.shape), name
        assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1], name


@pytest.mark.parametrize("device", [None, "cpu"])
def test_averaged_model_of_a_cuda_model(device):
    from numbatorch.optim.swa_utils import AveragedModel
    net = _net()
    on_cuda = copy.deepcopy(net).cuda()
    averages = [AveragedModel(net, device=device), AveragedModel(on_cuda, device=device)]
    for step in range(3):
        for model, avg in zip((net, on_cuda), averages):
            with torch.no_grad():
                for p in model.parameters():
                    p.mul_(0.5).add_(step)
            avg.update_parameters(model)
    expected_device = CUDA if device is None else CPU
    assert all(p.device == expected_device for p in averages[1].module.parameters())
    for a, b in zip(averages[1].module.parameters(), averages[0].module.parameters()):
        np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_on_cuda_equals_cpu_and_keeps_its_state_there(line_search_fn):
    net, x = _mlp(), torch.randn(5, 3)
    on_cuda, x_cuda = copy.deepcopy(net).cuda(), x.cuda()
    for model, data in ((net, x), (on_cuda, x_cuda)):
        opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=4, line_search_fn=line_search_fn)

        def closure():
            opt.zero_grad()
            loss = model(data).pow(2).mean()
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
    state = opt.state[next(iter(on_cuda.parameters()))]
    assert state["d"].device == CUDA and state["prev_flat_grad"].device == CUDA
    assert all(t.device == CUDA for t in state["old_dirs"])
    _assert_same_parameters(on_cuda, net)
