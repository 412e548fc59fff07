"""Cold start: what a fresh process pays before and during its first training step, Numba's cache empty or full.

    python benchmarks/bench_cold_start.py [--repeats N] [--tutorials NAME ...] [--no-torch] [--compile-at-once]

A stand-alone script (no ``WORKLOADS``, so ``run.py`` skips it). Every measurement is a fresh subprocess. "cold"
runs get an empty ``NUMBA_CACHE_DIR`` (every kernel compiles), "warm" ones the directory the cold run filled.
Rows: ``import numbatorch``; the first cifar2 training step (the network of ``tutorials/cifar2.py``, batch 50,
forward + backward + Adam step), import included and alone, beside PyTorch's; each tutorial's ``--quick`` run,
whole process. Rounds alternate the frameworks; each cell is the median wall time and, in brackets, the median
CPU time (user + system; on a loaded machine it is the better measure of the work done, as compiling is
single-threaded), with the load average. ``--compile-at-once`` sets ``_tiered.STAND_IN_SECONDS`` to 0 in every
numbatorch process: kernels compile at their first call instead of running numpy stand-ins (the comparison).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = ("dataset_dataloader", "layers", "losses", "ring", "tensorboard", "cifar2", "iris")

# Prints "<import s> <first step s>" (wall) and the same two in CPU seconds for the framework named by argv[1].
_FIRST_STEP = textwrap.dedent("""
    import sys, time
    start, start_cpu = time.perf_counter(), time.process_time()
    torch = __import__(sys.argv[1])
    imported, imported_cpu = time.perf_counter(), time.process_time()
    sys.path.insert(0, sys.argv[2])
    from cifar2 import create_net
    torch.manual_seed(0)
    net = create_net(torch)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    x, y = torch.randn(50, 3, 32, 32), (torch.rand(50, 1) > 0.5).float()
    step_start, step_start_cpu = time.perf_counter(), time.process_time()
    optimizer.zero_grad()
    torch.nn.BCEWithLogitsLoss()(net(x), y).backward()
    optimizer.step()
    print(imported - start, time.perf_counter() - step_start, imported_cpu - start_cpu,
          time.process_time() - step_start_cpu)
""")


def _cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Runs the script or ``-c`` program that follows in argv with numbatorch's stand-ins off (numbatorch is then
# imported before the program starts: its import row means nothing in this mode).
_COMPILE_AT_ONCE = textwrap.dedent("""
    import os, runpy, sys
    from numbatorch.backends.cpu import _tiered
    _tiered.STAND_IN_SECONDS = 0.0
    if sys.argv[1] == "-c":
        sys.argv = sys.argv[2:]
        exec(compile(sys.argv[0], "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = sys.argv[1:]
        sys.path.insert(0, os.path.dirname(sys.argv[0]))
        runpy.run_path(sys.argv[0], run_name="__main__")
""")
_compile_at_once = False


def _run(args, cache_dir, cwd=REPO_ROOT):
    """(wall, CPU) seconds of ``python args`` and its stdout; ``cache_dir`` becomes NUMBA_CACHE_DIR."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, MPLBACKEND="Agg")
    if _compile_at_once and "torch" not in args and "--backend" not in args:
        args = ["-c", _COMPILE_AT_ONCE] + list(args)
    start, start_cpu = time.perf_counter(), _cpu_of_children()
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _cpu_of_children() - start_cpu
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return (wall, cpu), done.stdout


def _first_step(framework, cache_dir):
    """(wall, CPU) seconds of the whole process, of the import and of the first step."""
    process, out = _run(["-c", _FIRST_STEP, framework, os.path.join(REPO_ROOT, "tutorials")], cache_dir)
    imported, step, imported_cpu, step_cpu = (float(v) for v in out.split()[-4:])
    return process, (imported, imported_cpu), (step, step_cpu)


def _fmt(values):
    if not values:
        return "–"
    return (f"{statistics.median(wall for wall, _ in values):.2f} s "
            f"({statistics.median(cpu for _, cpu in values):.2f} s)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="rounds of every measurement (default 3)")
    parser.add_argument("--tutorials", nargs="*", default=list(TUTORIALS), choices=TUTORIALS, metavar="NAME",
                        help=f"tutorials whose --quick run is timed (default all: {', '.join(TUTORIALS)}; "
                             "none: the flag alone)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch's rows")
    parser.add_argument("--compile-at-once", action="store_true",
                        help="numbatorch compiles every kernel at its first call (no numpy stand-ins)")
    args = parser.parse_args(argv)
    global _compile_at_once
    _compile_at_once = args.compile_at_once
    frameworks = ["numbatorch"] + ([] if args.no_torch else ["torch"])
    cells = {}
    loads = [os.getloadavg()[0]]

    def add(key, value):
        cells.setdefault(key, []).append(value)

    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache:
            add(("import numbatorch", "cold"), _run(["-c", "import numbatorch"], cache)[0])
        for framework in frameworks:
            with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache:
                for state in ("cold", "warm"):
                    process, imported, step = _first_step(framework, cache)
                    add((f"cifar2 first step, {framework}: process", state), process)
                    add((f"cifar2 first step, {framework}: import", state), imported)
                    add((f"cifar2 first step, {framework}: step", state), step)
        for name in args.tutorials:
            with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache, \
                    tempfile.TemporaryDirectory(prefix="tutorial_out_") as out:
                for state in ("cold", "warm"):
                    quick = [os.path.join("tutorials", f"{name}.py"), "--quick", "--out-dir", out]
                    add((f"{name} --quick", state), _run(quick, cache)[0])
                    if state == "warm" and not args.no_torch:
                        try:
                            add((f"{name} --quick --backend torch", state),
                                _run(quick + ["--backend", "torch"], cache)[0])
                        except RuntimeError as err:  # a few tutorials use torchvision parts the stand-in lacks
                            print(f"skipped: {str(err).splitlines()[0]}", file=sys.stderr)
        loads.append(os.getloadavg()[0])

    print(f"median of {args.repeats}; load average {min(loads):.1f}-{max(loads):.1f}\n")
    print("| wall (CPU) | empty Numba cache | full cache |\n|---|---|---|")
    for row in dict.fromkeys(key for key, _ in cells):
        print(f"| {row} | {_fmt(cells.get((row, 'cold'), []))} | {_fmt(cells.get((row, 'warm'), []))} |")


if __name__ == "__main__":
    main()
