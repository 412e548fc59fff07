"""``python -m numbatorch.distributed.run -n N train.py [args]``: torchrun's role, on MPI.

Starts ``mpiexec -n N`` from this Python's environment (the ``mpich`` wheel puts it next to the interpreter),
so users need not know MPI. Each rank runs the script through ``numbatorch.distributed._rank_main``, which
sets torchrun's variables (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE) and makes a rank that raises or
exits with an error end the whole job at once. Unless already set, NUMBA_NUM_THREADS and OMP_NUM_THREADS are
set to cores / N so the ranks do not oversubscribe the machine. The exit status is the job's.
"""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys

THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS")


def find_mpiexec():
    """``mpiexec`` next to this Python (pip's mpich), else on PATH; an ImportError naming the extra if none."""
    local = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(local):
        return local
    found = shutil.which("mpiexec")
    if found is None:
        raise ImportError("numbatorch.distributed.run needs mpiexec, which is not installed: "
                          "pip install 'numbatorch[distributed]'")
    return found


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m numbatorch.distributed.run",
        description="Run a training script on N processes under MPI (torchrun-like).")
    parser.add_argument("-n", "--nproc-per-node", "--nproc_per_node", dest="nproc", default="1",
                        help="number of processes (ranks): an integer, or 'auto' / 'cpu' for one per CPU core")
    parser.add_argument("--nnodes", default="1", help="only 1: for several machines run mpiexec with a host file")
    parser.add_argument("--standalone", action="store_true",
                        help="accepted for torchrun command lines: this launcher always runs on one machine")
    parser.add_argument("-m", "--module", action="store_true",
                        help="run the target as a module, like 'python -m' (the script is a module name)")
    parser.add_argument("--no-python", "--no_python", dest="no_python", action="store_true",
                        help="run the target as an executable instead of a Python script")
    parser.add_argument("--mpiexec-args", default="", help="extra arguments for mpiexec, as one quoted string")
    parser.add_argument("training_script", help="the script (or module with -m) every rank runs")
    parser.add_argument("training_script_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if str(args.nnodes) != "1":
        parser.error(f"--nnodes {args.nnodes}: this launcher starts one machine's ranks; for several machines "
                     f"run mpiexec with a host file (mpiexec -f hosts -n N python train.py)")
    nproc = (os.cpu_count() or 1) if args.nproc in ("auto", "cpu") else args.nproc
    try:
        args.nproc = int(nproc)
    except ValueError:
        parser.error(f"--nproc-per-node must be an integer, 'auto' or 'cpu', got {args.nproc!r}")
    if args.nproc < 1:
        parser.error(f"--nproc-per-node must be at least 1, got {args.nproc}")
    if args.module and args.no_python:
        parser.error("--module and --no-python cannot be used together")
    return args


def command(args):
    """The mpiexec command line that runs ``args``'s target on every rank."""
    cmd = [find_mpiexec(), "-n", str(args.nproc), *shlex.split(args.mpiexec_args)]
    if args.no_python:
        return cmd + [args.training_script, *args.training_script_args]
    rank_main = [sys.executable, "-m", "numbatorch.distributed._rank_main"]
    if args.module:
        rank_main.append("-m")
    return cmd + rank_main + [args.training_script, *args.training_script_args]


def environment(nproc):
    """The ranks' environment: one share of the cores each, unless the user chose thread counts."""
    env = dict(os.environ)
    threads = str(max(1, (os.cpu_count() or 1) // nproc))
    for name in THREAD_VARIABLES:
        env.setdefault(name, threads)
    env.setdefault("TORCHELASTIC_RUN_ID", "none")
    return env


def main(argv=None):
    """Run the job; returns mpiexec's exit status."""
    args = parse_args(argv)
    proc = subprocess.Popen(command(args), env=environment(args.nproc))

    def forward(signum, frame):
        # mpiexec passes SIGINT/SIGTERM on to every rank; dying here instead would leave the ranks running
        proc.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
