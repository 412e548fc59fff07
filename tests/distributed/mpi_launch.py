"""Run a worker script under ``mpiexec -n 2`` from a test, with a timeout; skip when MPI is not installed."""
import os
import signal
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
    proc = run_job(cmd, single_thread_env(), timeout)
    if check:
        assert proc.returncode == 0, f"{worker} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def run_job(cmd, env, timeout):
    """Run ``cmd`` in its own session; on timeout kill the whole session (mpiexec and every rank) and fail."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=REPO_ROOT, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"{' '.join(cmd)} did not end within {timeout} s:\n{stdout}\n{stderr}")
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
