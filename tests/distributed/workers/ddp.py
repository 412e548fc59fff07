"""DistributedDataParallel on every rank against single-process training on the concatenated global batch.

Run under mpiexec: each rank trains a DDP replica on its share of each global batch and, alongside, a plain
copy of the model on the whole global batch (every rank can generate every share); after several steps the
parameters must agree. float64, so the only differences are summation order.
"""
import copy

import numpy as np

import numbatorch as torch
import numbatorch.distributed as dist
from numbatorch.nn.parallel import DistributedDataParallel as DDP

LOCAL_BATCH = 4
STEPS = 3


def batch(step, micro, rank):
    g = torch.Generator().manual_seed(100 * step + 10 * micro + rank)
    x = torch.randn(LOCAL_BATCH, 5, generator=g, dtype=torch.float64)
    y = torch.randn(LOCAL_BATCH, 3, generator=g, dtype=torch.float64)
    return x, y


def make_model():
    torch.manual_seed(dist.get_rank())  # different on each rank: DDP must copy rank 0's parameters
    return torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()


def assert_params_close(name, ddp_model, reference):
    for (n, p), q in zip(ddp_model.module.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=f"{name}: parameter {n}")


def train(optimizer_name, micro_batches):
    rank, world = dist.get_rank(), dist.get_world_size()
    model = DDP(make_model(), bucket_cap_mb=0.0001)  # tiny buckets: several all-reduces per step
    reference = copy.deepcopy(model.module)
    make_opt = {"sgd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
                "adam": lambda ps: torch.optim.Adam(ps, lr=0.01)}[optimizer_name]
    opt, ref_opt = make_opt(model.parameters()), make_opt(reference.parameters())
    loss_fn = torch.nn.MSELoss()
    for step in range(STEPS):
        opt.zero_grad()
        ref_opt.zero_grad()
        for micro in range(micro_batches):
            x, y = batch(step, micro, rank)
            if micro < micro_batches - 1:
                with model.no_sync():
                    loss_fn(model(x), y).backward()
            else:
                loss_fn(model(x), y).backward()
            shares = [batch(step, micro, r) for r in range(world)]
            gx, gy = torch.cat([s[0] for s in shares]), torch.cat([s[1] for s in shares])
            loss_fn(reference(gx), gy).backward()
        opt.step()
        ref_opt.step()
    assert_params_close(f"{optimizer_name}, {micro_batches} micro-batches", model, reference)
    assert list(model.state_dict()) == ["module." + k for k in reference.state_dict()]


class TwoHeads(torch.nn.Module):
    """Uses ``unused`` only when asked: for find_unused_parameters."""

    def __init__(self):
        super().__init__()
        self.used = torch.nn.Linear(5, 3).double()
        self.unused = torch.nn.Linear(5, 3).double()

    def forward(self, x, both=False):
        return self.used(x) + self.unused(x) if both else self.used(x)


def unused_parameters():
    rank, world = dist.get_rank(), dist.get_world_size()
    model = DDP(TwoHeads(), find_unused_parameters=True)
    reference = copy.deepcopy(model.module)
    x, y = batch(0, 0, rank)
    # rank 0 uses both heads, the others one: 'unused' gets rank 0's gradient averaged over all ranks
    ((model(x, both=rank == 0) - y) ** 2).mean().backward()
    x0, y0 = batch(0, 0, 0)
    ((reference(x0, both=True) - y0) ** 2).mean().backward()
    for r in range(1, world):
        xr, yr = batch(0, 0, r)
        ((reference(xr) - yr) ** 2).mean().backward()
    for (n, p), q in zip(model.module.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy() / world, rtol=1e-10, err_msg=n)
    model.zero_grad()
    ((model(x) - y) ** 2).mean().backward()  # no rank uses 'unused': its gradient stays None
    assert model.module.unused.weight.grad is None

    strict = DDP(TwoHeads())
    ((strict(x) - y) ** 2).mean().backward()
    try:
        strict(x)
    except RuntimeError as err:
        assert "Expected to have finished reduction in the prior iteration" in str(err), err
        assert "unused.weight" in str(err), err
    else:
        raise AssertionError("a parameter without gradient did not raise without find_unused_parameters")


def mismatched_models():
    width = 8 + dist.get_rank()
    try:
        DDP(torch.nn.Linear(5, width))
    except RuntimeError as err:
        assert "DDP expects same model across all ranks" in str(err) and "[8, 5]" in str(err), err
    else:
        raise AssertionError("different models on different ranks did not raise")


def sampler_defaults():
    """DistributedSampler without num_replicas/rank takes them from the process group."""
    world = dist.get_world_size()
    shares = [None] * world
    dist.all_gather_object(shares, list(torch.utils.data.DistributedSampler(range(10 * world), seed=3)))
    assert sorted(i for share in shares for i in share) == list(range(10 * world)), shares


def main():
    dist.init_process_group("mpi")
    sampler_defaults()
    for optimizer_name in ("sgd", "adam"):
        for micro_batches in (1, 2):
            train(optimizer_name, micro_batches)
    unused_parameters()
    mismatched_models()
    print(f"rank {dist.get_rank()}: ddp OK")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
