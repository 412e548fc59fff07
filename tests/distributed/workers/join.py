"""Join on uneven inputs under mpiexec: rank r has 2 + 2r batches.

A custom Joinable counts processed inputs with one all-reduce per iteration (joined ranks shadow it with
zeros); DDP inside ``model.join()`` must end with the parameters of single-process training in which each step
sums the gradients of the ranks still training and divides them by the world size (or by the number of those
ranks); ``throw_on_early_termination`` makes every rank raise once one has joined.
"""
import numpy as np

import numbatorch as torch
import numbatorch.distributed as dist
from numbatorch.distributed.algorithms.join import Join, Joinable, JoinHook
from numbatorch.nn.parallel import DistributedDataParallel as DDP


def inputs_of(rank):
    return 2 + 2 * rank


class CounterHook(JoinHook):
    def __init__(self, counter):
        self.counter = counter

    def main_hook(self):
        dist.all_reduce(torch.zeros(1), group=self.counter.join_process_group)

    def post_hook(self, is_last_joiner):
        self.counter.last_joiner = is_last_joiner


class Counter(Joinable):
    """Counts the inputs processed by all ranks during this rank's iterations (an all-reduce per iteration)."""

    def __init__(self):
        super().__init__()
        self.total = 0
        self.last_joiner = None

    def __call__(self):
        Join.notify_join_context(self)
        count = torch.ones(1)
        dist.all_reduce(count)
        self.total += int(count.item())

    def join_hook(self, **kwargs):
        return CounterHook(self)

    @property
    def join_device(self):
        return torch.device("cpu")

    @property
    def join_process_group(self):
        return dist.group.WORLD


def counting():
    rank, world = dist.get_rank(), dist.get_world_size()
    counters = [Counter(), Counter()]
    with Join(counters):
        for _ in range(inputs_of(rank)):
            for counter in counters:
                counter()
    # Each iteration this rank ran counted the ranks still training then; joined ranks added zeros.
    expected = sum(sum(step < inputs_of(r) for r in range(world)) for step in range(inputs_of(rank)))
    assert [c.total for c in counters] == [expected, expected], [c.total for c in counters]
    assert counters[0].last_joiner == (rank == world - 1), counters[0].last_joiner


def early_termination():
    rank = dist.get_rank()
    counter = Counter()
    done = 0
    try:
        with Join([counter], throw_on_early_termination=True):
            for _ in range(inputs_of(rank)):
                counter()
                done += 1
    except RuntimeError as err:
        assert "Detected at least one rank that exhausted inputs" in str(err), err
    else:
        raise AssertionError("no rank raised with throw_on_early_termination=True")
    assert done == inputs_of(0), (rank, done)


def batch(step, rank):
    g = torch.Generator().manual_seed(100 * step + rank)
    return torch.randn(3, 4, generator=g, dtype=torch.float64), torch.randn(3, 2, generator=g, dtype=torch.float64)


def ddp_uneven(divide_by_initial_world_size):
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(rank)
    model = DDP(torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2)).double(),
                bucket_cap_mb=0.0001)
    reference = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2)).double()
    reference.load_state_dict(model.module.state_dict())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    loss_fn = torch.nn.MSELoss()
    with model.join(divide_by_initial_world_size=divide_by_initial_world_size):
        for step in range(inputs_of(rank)):
            opt.zero_grad()
            x, y = batch(step, rank)
            loss_fn(model(x), y).backward()
            opt.step()
    for step in range(inputs_of(world - 1)):
        ref_opt.zero_grad()
        active = [r for r in range(world) if step < inputs_of(r)]
        divisor = world if divide_by_initial_world_size else len(active)
        sum(loss_fn(reference(x), y) for x, y in (batch(step, r) for r in active)).div(divisor).backward()
        ref_opt.step()
    for (name, p), q in zip(model.module.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name}, divide_by_initial_world_size={divide_by_initial_world_size}")


def main():
    dist.init_process_group("mpi")
    counting()
    early_termination()
    ddp_uneven(True)
    ddp_uneven(False)
    print(f"rank {dist.get_rank()}: join OK")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
