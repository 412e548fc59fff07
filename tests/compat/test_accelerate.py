"""Hugging Face accelerate, unmodified, on numbatorch through the run command: an ``Accelerator`` prepares a
model, optimizer, scheduler and DataLoader and trains 3 steps with ``accelerator.backward``; the losses and
weights equal the same steps in plain numbatorch and in accelerate on PyTorch."""
import numpy as np
import pytest

from ._scripts import check, numbers, run_numbatorch, run_torch, write_script

SCRIPT = """
    import numpy as np
    import torch
    from accelerate import Accelerator

    rng = np.random.default_rng(0)
    w1, b1 = rng.normal(size=(8, 4)) * 0.5, rng.normal(size=8) * 0.1
    w2, b2 = rng.normal(size=(2, 8)) * 0.5, rng.normal(size=2) * 0.1
    x = torch.tensor(rng.normal(size=(12, 4)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, 2, size=12))


    def make():
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
        with torch.no_grad():
            for p, v in zip(net.parameters(), (w1, b1, w2, b2)):
                p.copy_(torch.tensor(v, dtype=torch.float32))
        opt = torch.optim.Adam(net.parameters(), lr=0.05)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4)
        return net, opt, sched, loader


    def step(net, opt, sched, xb, yb, backward, clip):
        loss = torch.nn.functional.cross_entropy(net(xb), yb)
        backward(loss)
        clip(net.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        return loss.item()


    net, opt, sched, loader = make()
    for xb, yb in loader:
        print("plain", step(net, opt, sched, xb, yb, lambda loss: loss.backward(), torch.nn.utils.clip_grad_norm_))
    print("plain_weights", *net[2].weight.detach().numpy().ravel())

    accelerator = Accelerator(cpu=True)
    net, opt, sched, loader = accelerator.prepare(*make())
    for xb, yb in loader:
        with accelerator.autocast():
            loss = step(net, opt, sched, xb, yb, accelerator.backward, accelerator.clip_grad_norm_)
        print("accelerate", loss)
    gathered = accelerator.gather_for_metrics(net(x).argmax(-1))
    print("gathered", len(gathered), accelerator.num_processes)
    print("device", accelerator.device.type)
    print("accelerate_weights", *accelerator.unwrap_model(net)[2].weight.detach().numpy().ravel())
"""


def test_accelerate_trains_like_plain_numbatorch_and_pytorch(tmp_path):
    pytest.importorskip("accelerate")
    pytest.importorskip("torch")
    script = write_script(tmp_path, SCRIPT)
    ours = check(run_numbatorch(script))
    theirs = check(run_torch(script))
    assert len(numbers(ours, "accelerate ")) == 3
    np.testing.assert_allclose(numbers(ours, "accelerate "), numbers(ours, "plain "), rtol=1e-6)
    np.testing.assert_allclose(numbers(ours, "accelerate_weights "), numbers(ours, "plain_weights "), rtol=1e-6)
    np.testing.assert_allclose(numbers(ours, "accelerate "), numbers(theirs, "accelerate "), rtol=1e-5)
    np.testing.assert_allclose(numbers(ours, "accelerate_weights "), numbers(theirs, "accelerate_weights "),
                               rtol=1e-4, atol=1e-6)
    assert numbers(ours, "gathered ") == numbers(theirs, "gathered ") == [12, 1]
    assert "device cpu" in ours.splitlines()
