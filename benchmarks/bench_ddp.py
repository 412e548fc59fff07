"""Data-parallel scaling: samples/s of the cifar2 training step at a fixed global batch on 1 and N ranks.

    python benchmarks/bench_ddp.py [--ranks 1 2] [--global-batch 50] [--steps 30] [--backend torch]

Each rank count runs as its own MPI job (``mpiexec -n N``) with one thread per rank (NUMBA_NUM_THREADS=1,
OMP_NUM_THREADS=1). The step is the cifar2 tutorial's network (tutorials/cifar2.py) with BCEWithLogitsLoss
and Adam on random 32x32 images: forward, backward, optimizer step. With 1 rank the plain model is timed,
with N ranks DistributedDataParallel on global_batch / N samples per rank, and the same step inside
``no_sync()`` (no gradient averaging: the difference is the communication's cost in the step). The
all-reduce time per step is an all-reduce of a buffer as large as the network's gradients, timed alone.
A stand-alone script (no WORKLOADS): benchmarks/run.py skips it.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)


def worker(global_batch, steps, warmup, backend):
    """One rank's measurement; rank 0 prints a JSON line."""
    sys.path.insert(0, REPO_ROOT)
    sys.path.insert(0, os.path.join(REPO_ROOT, "tutorials"))
    from cifar2 import create_net
    if backend == "torch":
        import torch
        torch.set_num_threads(1)
        # PyTorch on Gloo, started by the same mpiexec: the rank and size come from MPI's launcher
        os.environ.update(RANK=os.environ["PMI_RANK"], WORLD_SIZE=os.environ["PMI_SIZE"])
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29511")
        torch.distributed.init_process_group("gloo")
    else:
        import numbatorch as torch
        torch.distributed.init_process_group("mpi")
    dist = torch.distributed
    rank, world = dist.get_rank(), dist.get_world_size()
    if global_batch % world:
        raise SystemExit(f"--global-batch {global_batch} is not divisible by {world} ranks")
    local = global_batch // world
    torch.manual_seed(rank)
    net = create_net(torch)
    model = net if world == 1 else torch.nn.parallel.DistributedDataParallel(net)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x = torch.rand(local, 3, 32, 32)
    y = (torch.rand(local, 1) > 0.5).float()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    def timed(fn, n):
        dist.barrier()
        start = time.perf_counter()
        for _ in range(n):
            fn()
        dist.barrier()
        return (time.perf_counter() - start) / n

    def local_step():
        with model.no_sync():
            step()

    for _ in range(warmup):
        step()
    step_s = timed(step, steps)
    # the same step without gradient averaging: the difference is what DDP's communication costs in the step
    local_s = timed(local_step, steps) if world > 1 else step_s
    grads = torch.zeros(sum(p.numel() for p in net.parameters()))
    for _ in range(warmup):
        dist.all_reduce(grads)
    allreduce_s = timed(lambda: dist.all_reduce(grads), steps) if world > 1 else 0.0
    if rank == 0:
        print(json.dumps({"ranks": world, "step_ms": step_s * 1e3, "no_sync_step_ms": local_s * 1e3,
                          "samples_per_s": global_batch / step_s,
                          "allreduce_ms": allreduce_s * 1e3, "grad_bytes": grads.numel() * grads.element_size()}))
    dist.destroy_process_group()


def run(ranks, global_batch, steps, warmup, backend):
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = [mpiexec, "-n", str(ranks), sys.executable, os.path.abspath(__file__), "--worker",
           "--global-batch", str(global_batch), "--steps", str(steps), "--warmup", str(warmup), "--backend", backend]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{ranks} rank(s) failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--global-batch", type=int, default=50)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--backend", choices=("numbatorch", "torch"), default="numbatorch",
                        help="'torch': the same measurement with PyTorch's DDP on Gloo, for comparison")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.global_batch, args.steps, args.warmup, args.backend)
    print(f"{args.backend}: cifar2 training step, global batch {args.global_batch}, 1 thread per rank, "
          f"{os.cpu_count()} cores")
    print(f"{'ranks':>5} {'step ms':>9} {'no_sync ms':>11} {'samples/s':>10} {'speed-up':>9} {'all-reduce ms':>14} "
          f"{'grad KiB':>9}")
    base = None
    for n in args.ranks:
        r = run(n, args.global_batch, args.steps, args.warmup, args.backend)
        base = base or r["samples_per_s"]
        print(f"{n:>5} {r['step_ms']:>9.2f} {r['no_sync_step_ms']:>11.2f} {r['samples_per_s']:>10.1f} "
              f"{r['samples_per_s'] / base:>9.2f} "
              f"{r['allreduce_ms']:>14.3f} {r['grad_bytes'] / 1024:>9.1f}")


if __name__ == "__main__":
    main()
