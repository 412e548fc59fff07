"""Run the same workloads in numbatorch and (when installed) PyTorch; print times and their ratio.

Usage: python benchmarks/run.py [--filter NAME] [--repeats N] [--min-time SECONDS] [--no-torch] [--list]

Workloads come from every ``benchmarks/bench_*.py`` module that defines ``WORKLOADS`` (see README.md).
Both frameworks run with the same thread count (numba's). Each workload is warmed up (numba compiles,
caches fill), then timed ``--repeats`` times over enough iterations to last ``--min-time``, alternating
between the frameworks; the median time per iteration is reported.
"""
import argparse
import glob
import importlib.util
import os
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # bench modules import _common
sys.path.insert(0, os.path.dirname(HERE))  # numbatorch without installing it


def discover():
    """(module name, Workload) for every workload of every bench_*.py module, in file order."""
    found = []
    for path in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # a broken module must not hide the others
            print(f"[skip] {name}: import failed: {type(exc).__name__}: {exc}")
            continue
        for workload in getattr(module, "WORKLOADS", ()):
            found.append((name, workload))
    return found


def _calibrate(step, warmup, min_time):
    """Warm ``step`` up, then the number of calls that lasts about ``min_time`` seconds."""
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    step()
    return max(1, int(min_time / max(time.perf_counter() - start, 1e-7)))


def _run_batch(step, number):
    start = time.perf_counter()
    for _ in range(number):
        step()
    return (time.perf_counter() - start) / number


def measure_pair(workload, libs, args):
    """Median time per iteration for each framework in ``libs`` (None where it failed), and the errors.

    Repeats alternate between the frameworks so that load from other processes hits both alike.
    """
    steps, numbers, errors = {}, {}, {}
    for name, lib in libs.items():
        try:
            steps[name] = workload.make(lib)
            numbers[name] = _calibrate(steps[name], workload.warmup, args.min_time)
        except Exception as exc:
            steps.pop(name, None)
            errors[name] = _describe(exc, args)
    samples = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name in list(samples):
            try:
                samples[name].append(_run_batch(steps[name], numbers[name]))
            except Exception as exc:
                errors[name] = _describe(exc, args)
                del samples[name]
    times = {name: statistics.median(s) if s else None for name, s in samples.items()}
    return {name: times.get(name) for name in libs}, errors


def _describe(exc, args):
    if args.verbose:
        traceback.print_exc()
    return f"{type(exc).__name__}: {exc}"


def _fmt(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--filter", default="", help="run only workloads whose name contains this text")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per repeat (at least one call)")
    parser.add_argument("--no-torch", action="store_true", help="time numbatorch only")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failing workloads")
    args = parser.parse_args(argv)

    import numba
    import numbatorch
    from numbatorch.backends.cpu import _parallel, _tiered
    _parallel.PARALLEL_AFTER_SECONDS = 0.0  # steady state: parallel builds compiled during the untimed warm-up
    _tiered.STAND_IN_SECONDS = 0.0  # and the kernels, not their numpy stand-ins
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: timing numbatorch only")
    threads = numba.get_num_threads()
    if torch is not None:
        torch.set_num_threads(threads)

    workloads = [(m, w) for m, w in discover() if args.filter in w.name]
    if args.list:
        for module, w in workloads:
            print(f"{w.name:28s} {module:14s} {w.description}")
        return 0
    print(f"threads: {threads} (numba layer {numba.threading_layer() if _layer_known() else 'not chosen yet'})"
          + (f", torch {torch.__version__}" if torch is not None else ""))
    header = f"{'workload':28s} {'numbatorch':>12s} {'pytorch':>12s} {'ratio':>8s} {'target':>7s}"
    print(header)
    print("-" * len(header))
    failed = False
    libs = {"numbatorch": numbatorch}
    if torch is not None:
        libs["pytorch"] = torch
    for module, w in workloads:
        times, errors = measure_pair(w, libs, args)
        ours, theirs = times["numbatorch"], times.get("pytorch")
        ratio = f"{ours / theirs:.2f}x" if ours and theirs else "-"
        target = f"{w.target_ratio:g}x" if w.target_ratio else ""
        print(f"{w.name:28s} {_fmt(ours):>12s} {_fmt(theirs):>12s} {ratio:>8s} {target:>7s}", flush=True)
        for who, e in errors.items():
            failed = True
            print(f"    {who} failed: {e}")
    return 1 if failed else 0


def _layer_known():
    import numba
    try:
        numba.threading_layer()
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
