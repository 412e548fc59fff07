"""SyncBatchNorm on each rank's share against BatchNorm on the concatenated batch (run under mpiexec).

Checks the forward output and running statistics of BatchNorm1d/2d inputs, then trains a DDP model whose
BatchNorm was converted with convert_sync_batchnorm against the plain model on the whole batch, which
also covers the input and parameter gradients through the synchronised statistics.
"""
import copy

import numpy as np

import numbatorch as torch
import numbatorch.distributed as dist
from numbatorch.nn.parallel import DistributedDataParallel as DDP

LOCAL_BATCH = 3


def share(shape, rank, step=0):
    g = torch.Generator().manual_seed(50 * step + rank)
    return torch.randn((LOCAL_BATCH,) + shape, generator=g, dtype=torch.float64) * (1 + rank) + rank


def close(name, got, expected):
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-7, atol=1e-9,
                               err_msg=name)


def forward_matches(bn_class, shape, **options):
    rank, world = dist.get_rank(), dist.get_world_size()
    reference = bn_class(shape[0], **options).double()
    sync = torch.nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(reference))
    assert isinstance(sync, torch.nn.SyncBatchNorm)
    for step in range(2):
        whole = torch.cat([share(shape, r, step) for r in range(world)])
        expected = reference(whole)
        got = sync(share(shape, rank, step))
        name = f"{bn_class.__name__}({options}) step {step}"
        close(f"{name} output", got, expected[rank * LOCAL_BATCH:(rank + 1) * LOCAL_BATCH])
        if reference.track_running_stats:
            close(f"{name} running_mean", sync.running_mean, reference.running_mean)
            close(f"{name} running_var", sync.running_var, reference.running_var)
    if not reference.track_running_stats:
        return
    sync.eval()
    reference.eval()
    close("eval output", sync(share(shape, rank)), reference(share(shape, rank)))


def training_matches():
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Tanh(),
                                    torch.nn.Flatten(), torch.nn.Linear(12, 2)).double()
    model = DDP(torch.nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(reference)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    for step in range(3):
        opt.zero_grad()
        ref_opt.zero_grad()
        (model(share((2, 4, 4), rank, step)) ** 2).mean().backward()
        whole = torch.cat([share((2, 4, 4), r, step) for r in range(world)])
        (reference(whole) ** 2).mean().backward()
        opt.step()
        ref_opt.step()
    for (name, got), expected in zip(model.module.state_dict().items(), reference.state_dict().values()):
        close(f"after training: {name}", got, expected)


def main():
    dist.init_process_group("mpi")
    forward_matches(torch.nn.BatchNorm1d, (4,))
    forward_matches(torch.nn.BatchNorm2d, (3, 2, 5))
    forward_matches(torch.nn.BatchNorm2d, (3, 2, 5), momentum=None, affine=False)
    forward_matches(torch.nn.BatchNorm1d, (4, 6), track_running_stats=False)
    training_matches()
    print(f"rank {dist.get_rank()}: sync batchnorm OK")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
