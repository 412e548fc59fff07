"""Run the same workloads in numbatorch and (when installed) PyTorch; print times and their ratio.

Usage: python benchmarks/run.py [--filter NAME] [--repeats N] [--min-time SECONDS] [--no-torch] [--list]
                                [--separate] [--clock wall|cpu]

Workloads come from every ``benchmarks/bench_*.py`` module that defines ``WORKLOADS`` (see README.md).
Both frameworks run with the same thread count (numba's). Each workload is warmed up (numba compiles,
caches fill), then timed ``--repeats`` times over enough iterations to last ``--min-time``, alternating
between the frameworks; the median time per iteration is reported.

By default both frameworks share this process, so a process-wide setting one of them makes reaches the other
(``import numbatorch`` raises glibc's malloc thresholds, which speeds PyTorch up too). ``--separate`` runs
each framework in a process of its own that never imports the other; this process sends both the same
requests in the same alternating order and prints the same table.
"""
import argparse
import glob
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # bench modules import _common
sys.path.insert(0, os.path.dirname(HERE))  # numbatorch without installing it


def discover():
    """(module name, Workload) for every workload of every bench_*.py module, in file order.

    Modules without a top-level ``WORKLOADS`` are stand-alone scripts and are not imported (some import
    numbatorch, which a PyTorch-only process must not).
    """
    found = []
    for path in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path) as source:
            if not re.search(r"^WORKLOADS\s*=", source.read(), re.MULTILINE):
                continue
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


def _run_batch(step, number, clock=time.perf_counter):
    start = clock()
    for _ in range(number):
        step()
    return (clock() - start) / number


class InProcess:
    """Times workloads of one framework module in this process."""

    def __init__(self, lib, args):
        self.lib, self.args = lib, args
        self.step = self.number = None

    def prepare(self, workload):
        """Build ``workload``'s step, warm it up and calibrate the calls per timed batch."""
        self.step = workload.make(self.lib)
        self.number = _calibrate(self.step, workload.warmup, self.args.min_time)

    def time_batch(self):
        """Seconds per call of the prepared step over one batch."""
        return _run_batch(self.step, self.number, _CLOCKS[self.args.clock])


class WorkerProcess:
    """Times workloads of one framework in a fresh child process (``run.py --worker``), by request."""

    def __init__(self, framework, threads, args):
        command = [sys.executable, os.path.abspath(__file__), "--worker", framework, "--threads", str(threads),
                   "--min-time", str(args.min_time), "--clock", args.clock] + (["-v"] if args.verbose else [])
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.about = self._reply()["about"]

    def _reply(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker exited with status {self.process.wait()}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def _request(self, **request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._reply()

    def prepare(self, workload):
        """The worker builds, warms up and calibrates ``workload``."""
        self._request(prepare=workload.name)

    def time_batch(self):
        """Seconds per call of the worker's prepared step over one batch."""
        return self._request(time=True)["seconds"]

    def close(self):
        """Ends the worker."""
        self.process.stdin.close()
        self.process.wait()


def serve(framework, threads, args):
    """Worker loop of ``--separate``: answer the parent's JSON requests on stdin, one JSON line each on stdout.

    ``{"prepare": NAME}`` builds and calibrates workload NAME, ``{"time": true}`` times one batch of it.
    """
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # whatever a workload or a library prints goes to stderr,
    sys.stdout = sys.stderr                            # not into the replies

    def reply(**message):
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    lib = _import_framework(framework, threads)
    if framework == "pytorch" and "numbatorch" in sys.modules:
        reply(error="the PyTorch worker imported numbatorch: its process-wide settings would reach PyTorch")
        return 1
    workloads = {w.name: w for _, w in discover()}
    runner = InProcess(lib, args)
    reply(about=_about(lib))
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "prepare" in request:
                runner.prepare(workloads[request["prepare"]])
                reply(prepared=True)
            else:
                reply(seconds=runner.time_batch())
        except Exception as exc:
            reply(error=_describe(exc, args))
    return 0


def _import_framework(framework, threads):
    """numbatorch set for steady-state timing, or torch at ``threads`` threads."""
    if framework == "pytorch":
        import torch
        torch.set_num_threads(threads)
        return torch
    import numbatorch
    from numbatorch.backends.cpu import _parallel, _tiered
    _parallel.PARALLEL_AFTER_SECONDS = 0.0  # steady state: parallel builds compiled during the untimed warm-up
    _tiered.STAND_IN_SECONDS = 0.0  # and the kernels, not their numpy stand-ins
    return numbatorch


def _about(lib):
    if lib.__name__ == "torch":
        return f"torch {lib.__version__}"
    import numba
    return f"numba layer {numba.threading_layer() if _layer_known() else 'not chosen yet'}"


def measure_pair(workload, runners, args):
    """Median time per iteration for each framework in ``runners`` (None where it failed), and the errors.

    Repeats alternate between the frameworks so that load from other processes hits both alike.
    """
    prepared, errors = [], {}
    for name, runner in runners.items():
        try:
            runner.prepare(workload)
            prepared.append(name)
        except Exception as exc:
            errors[name] = _describe(exc, args)
    samples = {name: [] for name in prepared}
    for _ in range(args.repeats):
        for name in list(samples):
            try:
                samples[name].append(runners[name].time_batch())
            except Exception as exc:
                errors[name] = _describe(exc, args)
                del samples[name]
    times = {name: statistics.median(s) if s else None for name, s in samples.items()}
    return {name: times.get(name) for name in runners}, errors


_CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


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
    parser.add_argument("--separate", action="store_true",
                        help="each framework in a fresh process of its own (no settings shared)")
    parser.add_argument("--clock", choices=tuple(_CLOCKS), default="wall",
                        help="wall time, or the process's CPU time (all its threads: the work done, which load from "
                             "other processes inflates less; at one thread the better measure on a busy machine)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failing workloads")
    parser.add_argument("--worker", choices=("numbatorch", "pytorch"), help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)  # the worker's thread count
    args = parser.parse_args(argv)
    if args.worker:
        return serve(args.worker, args.threads, args)

    workloads = [(m, w) for m, w in discover() if args.filter in w.name]
    if args.list:
        for module, w in workloads:
            print(f"{w.name:28s} {module:14s} {w.description}")
        return 0
    import numba
    threads = numba.config.NUMBA_NUM_THREADS  # numba's default count; asking get_num_threads() starts its pool
    frameworks = ["numbatorch"]
    if not args.no_torch:
        if importlib.util.find_spec("torch") is None:
            print("PyTorch is not installed: timing numbatorch only")
        else:
            frameworks.append("pytorch")
    if args.separate:
        runners = {name: WorkerProcess(name, threads, args) for name in frameworks}
        about = [runner.about for runner in runners.values()]
        print(f"threads: {threads}, one process per framework ({', '.join(about)}), {args.clock} time")
    else:
        runners = {name: InProcess(_import_framework(name, threads), args) for name in frameworks}
        print(f"threads: {threads}, one process ({', '.join(_about(r.lib) for r in runners.values())}), "
              f"{args.clock} time")
    header = f"{'workload':28s} {'numbatorch':>12s} {'pytorch':>12s} {'ratio':>8s} {'target':>7s}"
    print(header)
    print("-" * len(header))
    failed = False
    try:
        for module, w in workloads:
            times, errors = measure_pair(w, runners, args)
            ours, theirs = times["numbatorch"], times.get("pytorch")
            ratio = f"{ours / theirs:.2f}x" if ours and theirs else "-"
            target = f"{w.target_ratio:g}x" if w.target_ratio else ""
            print(f"{w.name:28s} {_fmt(ours):>12s} {_fmt(theirs):>12s} {ratio:>8s} {target:>7s}", flush=True)
            for who, e in errors.items():
                failed = True
                print(f"    {who} failed: {e}")
    finally:
        for runner in runners.values():
            if isinstance(runner, WorkerProcess):
                runner.close()
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
