"""Run a worker script under ``mpiexec -n 2`` from a test, with a timeout; skip when MPI is not installed."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKERS = Path(__file__).parent / "workers"
REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def mpiexec():
    """The ``mpiexec`` of this Python's environment (the mpich wheel), or skip the test."""
    pytest.importorskip("mpi4py")
    path = Path(sys.executable).parent / "mpiexec"
    if not path.exists():
        pytest.skip("mpiexec is not installed next to this Python (pip install numbatorch[distributed])")
    return str(path)


def single_thread_env():
    """One thread per rank: two ranks share this machine's cores."""
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_ranks(worker, *args, n=2, timeout=TIMEOUT, check=True):
    """Run ``workers/<worker>`` on ``n`` ranks; returns the CompletedProcess (asserts exit 0 when ``check``)."""
    cmd = [mpiexec(), "-n", str(n), sys.executable, str(WORKERS / worker), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=single_thread_env(),
                          cwd=REPO_ROOT)
    if check:
        assert proc.returncode == 0, f"{worker} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc
