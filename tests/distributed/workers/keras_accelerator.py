"""numbatorch.keras.ddp.DistributedAccelerator on each rank (run under mpiexec -n 2).

Sharding and shuffling of loaders, gather/reduce against numpy, gradient accumulation with no_sync against
single-process training on the global batches, and saving on the main process only.
"""
import copy
import os
import sys

import numpy as np

import numbatorch as torch
import numbatorch.distributed as dist
from numbatorch.keras.ddp import DistributedAccelerator


def batches_seen(acc, loader):
    """Every rank's batches of one epoch, gathered: a list (per rank) of lists of first elements."""
    mine = [batch[0].tolist() for batch in acc.prepare_data_loader(loader)]
    everyone = [None] * acc.num_processes
    dist.all_gather_object(everyone, mine)
    return everyone


def sharding(acc):
    world = acc.num_processes
    data = torch.utils.data.TensorDataset(torch.arange(10), torch.arange(10))
    loader = torch.utils.data.DataLoader(data, batch_size=2)
    seen = batches_seen(acc, loader)
    steps = -(-5 // world)
    assert all(len(s) == steps for s in seen), seen
    first_round = [s[k] for k in range(steps) for s in seen][:5]
    assert sorted(sum(first_round, [])) == list(range(10)), seen
    torch.manual_seed(acc.process_index)  # different on each rank: the accelerator must agree the shuffle
    shuffled = batches_seen(acc, torch.utils.data.DataLoader(data, batch_size=2, shuffle=True))
    first_round = [s[k] for k in range(steps) for s in shuffled][:5]
    assert sorted(sum(first_round, [])) == list(range(10)), shuffled


def gather_and_reduce(acc):
    rank, world = acc.process_index, acc.num_processes
    got = acc.gather(torch.full((rank + 1, 2), float(rank)))
    expected = np.concatenate([np.full((r + 1, 2), float(r)) for r in range(world)])
    np.testing.assert_array_equal(got.numpy(), expected)
    np.testing.assert_array_equal(acc.gather(torch.tensor(float(rank))).numpy(), np.arange(world, dtype=np.float32))
    values = [np.arange(3.0) * (r + 1) for r in range(world)]
    np.testing.assert_allclose(acc.reduce(torch.from_numpy(values[rank])).numpy(), np.sum(values, axis=0))
    np.testing.assert_allclose(acc.reduce(torch.from_numpy(values[rank]), "mean").numpy(), np.mean(values, axis=0))


def batch(step, rank):
    g = torch.Generator().manual_seed(10 * step + rank)
    return torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(4, 1, generator=g, dtype=torch.float64)


def accumulation(acc):
    rank, world = acc.process_index, acc.num_processes
    torch.manual_seed(rank)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    model = acc.prepare(net)
    reference = copy.deepcopy(acc.unwrap_model(model))  # rank 0's weights, which DDP copied to every rank
    optimizer = acc.prepare(torch.optim.SGD(model.parameters(), lr=0.1))
    ref_optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    loss_fn = torch.nn.MSELoss()
    for step in range(4):
        with acc.accumulate(model):
            x, y = batch(step, rank)
            acc.backward(loss_fn(model(x), y))
            # a step that does not sync keeps each rank's own gradient (no_sync); a syncing one averages
            grads = acc.gather(acc.unwrap_model(model)[0].weight.grad.reshape(1, -1))
            assert bool((grads[0] == grads[1]).all()) == acc.sync_gradients, (step, grads)
            optimizer.step()
            optimizer.zero_grad()
        shares = [batch(step, r) for r in range(world)]
        (loss_fn(reference(torch.cat([s[0] for s in shares])), torch.cat([s[1] for s in shares])) / 2).backward()
        if step % 2 == 1:
            ref_optimizer.step()
            ref_optimizer.zero_grad()
    for (name, p), q in zip(acc.unwrap_model(model).named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-6, atol=1e-9, err_msg=name)
    assert list(acc.get_state_dict(model)) == list(reference.state_dict())


def main(out_dir):
    dist.init_process_group("mpi")
    acc = DistributedAccelerator(cpu=True, gradient_accumulation_steps=2)
    assert acc.is_main_process == (dist.get_rank() == 0)
    sharding(acc)
    gather_and_reduce(acc)
    # a fresh accelerator: the loaders above left end_of_dataloader set, which makes the next step sync
    acc = DistributedAccelerator(cpu=True, gradient_accumulation_steps=2)
    accumulation(acc)
    path = os.path.join(out_dir, f"saved_by_rank{dist.get_rank()}.pt")
    acc.save({"rank": dist.get_rank()}, path)
    acc.wait_for_everyone()
    assert os.path.exists(path) == acc.is_main_process
    print(f"rank {dist.get_rank()}: keras accelerator OK")
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
