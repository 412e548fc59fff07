"""How each workload scales from 1 to 2 threads in both frameworks, and the cifar2 step beside a busy process.

Usage: python benchmarks/scaling.py [--filter NAME] [--threads 1 2] [--repeats N] [--min-time S] [--no-load]

For every ``run.py`` workload, each round times numbatorch and PyTorch at every thread count in turn (numba's
and BLAS's threads for numbatorch, ``torch.set_num_threads`` for PyTorch), so load from other processes hits
all cells alike; the median per cell is printed with the speed-up of the largest thread count over the
smallest and the time ratio numbatorch / PyTorch at each count.
Then the cifar2 training step runs at the largest thread count with and without a CPU-bound process (a
Python busy loop) beside it, alternating, and prints how much each framework slows down.
"""
import argparse
import contextlib
import os
import statistics
import subprocess
import sys

from run import _calibrate, _fmt, _run_batch, discover

LOAD_WORKLOAD = "cifar2_train_step"


def _set_threads(n, numba, torch, blas, threadpoolctl):
    numba.set_num_threads(n)
    torch.set_num_threads(n)
    # numbatorch's BLAS policy returns large products to the count it saved: go to the large class first,
    # then set that count (small products still run on one thread)
    blas.prepare_gemm(blas.SMALL_GEMM, 1, 1)
    threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def _measure(steps, numbers, configs, repeats, configure):
    """Median seconds per iteration for each (framework, config) key, alternating configs every round."""
    samples = {key: [] for key in steps}
    for _ in range(repeats):
        for config in configs:
            with configure(config):
                for key in steps:
                    if key[1] == config:
                        samples[key].append(_run_batch(steps[key], numbers[key]))
    return {key: statistics.median(s) for key, s in samples.items()}


@contextlib.contextmanager
def _threads(modules, n):
    """Every framework at ``n`` threads (see _set_threads) inside."""
    _set_threads(n, *modules)
    yield


@contextlib.contextmanager
def _busy_neighbour(on):
    """A CPU-bound Python process (a busy loop) running beside this one inside, when ``on``."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        yield
    finally:
        if process is not None:
            process.kill()
            process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--filter", default="", help="only workloads whose name contains this text")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per timed batch (at least one call)")
    parser.add_argument("--no-load", action="store_true", help="skip the cifar2 step beside a busy process")
    args = parser.parse_args(argv)

    import numba
    import threadpoolctl
    import torch
    import numbatorch
    from numbatorch.backends.cpu import _parallel, _tiered, blas
    _parallel.PARALLEL_AFTER_SECONDS = 0.0  # steady state: parallel builds compiled during the untimed warm-up
    _tiered.STAND_IN_SECONDS = 0.0  # and the kernels, not their numpy stand-ins
    modules = (numba, torch, blas, threadpoolctl)
    libs = {"numbatorch": numbatorch, "pytorch": torch}
    threads = sorted(args.threads)
    top = threads[-1]
    print(f"threads {threads}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start")
    cells = [f"{'nb' if name == 'numbatorch' else 'pt'} {n}t" for name in libs for n in threads]
    header = (f"{'workload':26s}" + "".join(f"{c:>10s}" for c in cells) + f"{'nb x':>7s}{'pt x':>7s}"
              + "".join(f"{f'ratio {n}t':>9s}" for n in threads))
    print(header + f"   (x: speed-up {top}t over {threads[0]}t; ratio: numbatorch / PyTorch)")
    print("-" * len(header))
    workloads = [w for _, w in discover() if args.filter in w.name]
    for w in workloads:
        steps, numbers = {}, {}
        for name, lib in libs.items():
            for n in threads:
                _set_threads(n, *modules)
                steps[name, n] = w.make(lib)
                numbers[name, n] = _calibrate(steps[name, n], w.warmup, args.min_time)
        times = _measure(steps, numbers, threads, args.repeats, lambda n: _threads(modules, n))
        row = "".join(f"{_fmt(times[name, n]):>10s}" for name in libs for n in threads)
        nb_x = times["numbatorch", threads[0]] / times["numbatorch", top]
        pt_x = times["pytorch", threads[0]] / times["pytorch", top]
        ratios = "".join(f"{times['numbatorch', n] / times['pytorch', n]:8.2f}x" for n in threads)
        print(f"{w.name:26s}{row}{nb_x:6.2f}x{pt_x:6.2f}x{ratios}", flush=True)
    if args.no_load:
        return 0
    load = [w for _, w in discover() if w.name == LOAD_WORKLOAD][0]
    _set_threads(top, *modules)
    steps, numbers = {}, {}
    for name, lib in libs.items():
        for busy in (False, True):
            steps[name, busy] = load.make(lib)
            numbers[name, busy] = _calibrate(steps[name, busy], load.warmup, args.min_time)
    times = _measure(steps, numbers, (False, True), args.repeats, _busy_neighbour)
    print(f"\n{LOAD_WORKLOAD} at {top} threads, alone and beside one busy-loop process:")
    for name in libs:
        alone, busy = times[name, False], times[name, True]
        print(f"  {name:10s} alone {_fmt(alone):>9s}  beside busy {_fmt(busy):>9s}  slow-down {busy / alone:.2f}x")
    print(f"  ratio numbatorch / PyTorch: alone {times['numbatorch', False] / times['pytorch', False]:.2f}x, "
          f"beside busy {times['numbatorch', True] / times['pytorch', True]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
