"""Every collective of numbatorch.distributed against numpy, on each rank (run under mpiexec -n 2 or more).

Each rank's input is generated from a seed derived from its rank, so every rank can compute the expected
result of the whole job with numpy alone.
"""
import numpy as np

import numbatorch as torch
import numbatorch.distributed as dist

SHAPE = (3, 4)


def data(rank, dtype=np.float64, salt=0):
    rng = np.random.default_rng(1000 * salt + rank)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(SHAPE).astype(dtype)
    return rng.integers(1, 9, SHAPE).astype(dtype)


def check(name, got, expected):
    np.testing.assert_allclose(got.numpy() if isinstance(got, torch.Tensor) else got, expected, rtol=1e-12,
                               atol=0, err_msg=name)


def main():
    dist.init_process_group(backend="mpi", init_method="env://")
    rank, world = dist.get_rank(), dist.get_world_size()
    assert dist.is_initialized() and dist.get_backend() == "mpi"
    every = [data(r) for r in range(world)]
    ints = [data(r, np.int64, 1) for r in range(world)]

    numpy_reductions = {dist.ReduceOp.SUM: np.sum, dist.ReduceOp.PRODUCT: np.prod, dist.ReduceOp.MIN: np.min,
                        dist.ReduceOp.MAX: np.max, dist.ReduceOp.AVG: np.mean}
    for op, fn in numpy_reductions.items():
        t = torch.from_numpy(every[rank].copy())
        dist.all_reduce(t, op=op)
        check(f"all_reduce {op}", t, fn(np.stack(every), axis=0))
    for op, fn in ((dist.ReduceOp.BAND, np.bitwise_and.reduce), (dist.ReduceOp.BOR, np.bitwise_or.reduce),
                   (dist.ReduceOp.BXOR, np.bitwise_xor.reduce)):
        t = torch.from_numpy(ints[rank].copy())
        dist.all_reduce(t, op=op)
        check(f"all_reduce {op}", t, fn(np.stack(ints), axis=0))

    flags = [data(r, np.int64, 3) > 4 for r in range(world)]
    for op, fn in ((dist.ReduceOp.SUM, np.any), (dist.ReduceOp.MAX, np.any), (dist.ReduceOp.MIN, np.all),
                   (dist.ReduceOp.PRODUCT, np.all)):
        t = torch.from_numpy(flags[rank].copy())
        dist.all_reduce(t, op=op)
        check(f"all_reduce of bool {op}", t, fn(np.stack(flags), axis=0))

    try:
        dist.all_reduce(torch.zeros(3, 4).t())
    except ValueError as err:
        assert str(err) == "Tensors must be contiguous", err
    else:
        raise AssertionError("all_reduce of a non-contiguous tensor did not raise")

    t = torch.from_numpy(every[rank].copy())
    work = dist.all_reduce(t, async_op=True)
    assert work.wait() and work.is_completed()
    check("all_reduce async", t, np.sum(every, axis=0))

    src = world - 1
    t = torch.from_numpy(every[rank].copy())
    dist.broadcast(t, src=src)
    check("broadcast", t, every[src])

    outs = [torch.zeros(SHAPE, dtype=torch.float64) for _ in range(world)]
    dist.all_gather(outs, torch.from_numpy(every[rank]))
    for r in range(world):
        check(f"all_gather[{r}]", outs[r], every[r])

    out = torch.zeros((world * SHAPE[0], SHAPE[1]), dtype=torch.float64)
    dist.all_gather_into_tensor(out, torch.from_numpy(every[rank]))
    check("all_gather_into_tensor", out, np.concatenate(every))

    t = torch.from_numpy(every[rank].copy())
    dist.reduce(t, dst=0, op=dist.ReduceOp.MAX)
    check("reduce", t, np.max(every, axis=0) if rank == 0 else every[rank])

    inputs = [torch.from_numpy(data(rank, salt=2 + i)) for i in range(world)]
    out = torch.zeros(SHAPE, dtype=torch.float64)
    dist.reduce_scatter(out, inputs)
    check("reduce_scatter", out, sum(data(r, salt=2 + rank) for r in range(world)))

    stacked = torch.from_numpy(np.concatenate([data(rank, salt=2 + i) for i in range(world)]))
    out = torch.zeros(SHAPE, dtype=torch.float64)
    dist.reduce_scatter_tensor(out, stacked, op=dist.ReduceOp.AVG)
    check("reduce_scatter_tensor", out, sum(data(r, salt=2 + rank) for r in range(world)) / world)

    out = torch.zeros(SHAPE, dtype=torch.float64)
    scatter_list = [torch.from_numpy(data(0, salt=10 + i)) for i in range(world)] if rank == 0 else None
    dist.scatter(out, scatter_list, src=0)
    check("scatter", out, data(0, salt=10 + rank))

    gather_list = [torch.zeros(SHAPE, dtype=torch.float64) for _ in range(world)] if rank == src else None
    dist.gather(torch.from_numpy(every[rank]), gather_list, dst=src)
    if rank == src:
        for r in range(world):
            check(f"gather[{r}]", gather_list[r], every[r])

    outs = [torch.zeros(SHAPE, dtype=torch.float64) for _ in range(world)]
    dist.all_to_all(outs, [torch.from_numpy(data(rank, salt=20 + i)) for i in range(world)])
    for r in range(world):
        check(f"all_to_all[{r}]", outs[r], data(r, salt=20 + rank))

    # ring of point-to-point messages: rank r sends to r+1 and receives from r-1
    received = torch.zeros(SHAPE, dtype=torch.float64)
    send = dist.isend(torch.from_numpy(every[rank]), dst=(rank + 1) % world)
    sender = dist.recv(received, src=None)
    send.wait()
    assert sender == (rank - 1) % world, sender
    check("send/recv", received, every[(rank - 1) % world])

    objects = [None] * world
    dist.all_gather_object(objects, {"rank": rank, "text": "x" * rank})
    assert objects == [{"rank": r, "text": "x" * r} for r in range(world)], objects
    box = [rank, "from"] if rank == src else [None, None]
    dist.broadcast_object_list(box, src=src)
    assert box == [src, "from"], box

    evens = dist.new_group(ranks=list(range(0, world, 2)))
    if rank % 2 == 0:
        t = torch.from_numpy(every[rank].copy())
        dist.all_reduce(t, group=evens)
        check("all_reduce on a new_group", t, np.sum(every[::2], axis=0))
        assert dist.get_world_size(evens) == len(range(0, world, 2))
    else:
        assert dist.get_rank(evens) == -1

    mismatch = torch.zeros((2 + rank, 3))
    try:
        dist.all_reduce(mismatch)
    except RuntimeError as err:
        assert "rank 0 has [2, 3] float32" in str(err) and "rank 1 has [3, 3] float32" in str(err), err
    else:
        raise AssertionError("all_reduce of mismatched shapes did not raise")

    dist.barrier()
    dist.destroy_process_group()
    assert not dist.is_initialized()
    print(f"rank {rank}: collectives OK")


if __name__ == "__main__":
    main()
