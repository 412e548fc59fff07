"""The launcher (python -m numbatorch.distributed.run) and failing ranks: the job ends, non-zero, no hang."""
import re
import sys

import pytest

from .mpi_launch import WORKERS, mpiexec, run_job, run_ranks, single_thread_env

FAULT_TIMEOUT = 60


def launch(*args, timeout=FAULT_TIMEOUT):
    mpiexec()
    env = single_thread_env()
    env.pop("NUMBA_NUM_THREADS")  # the launcher chooses it
    return run_job([sys.executable, "-m", "numbatorch.distributed.run", *map(str, args)], env, timeout)


def test_launcher_sets_torchrun_variables():
    proc = launch("--standalone", "--nproc-per-node", 2, WORKERS / "launched.py", "--flag", "x")
    assert proc.returncode == 0, proc.stderr
    # mpiexec merges the ranks' output, so one rank's line may run into the other's
    lines = sorted(re.findall(r"rank=\d+ world=\d+ env=[\d,]+ launched=\w+ args=\[[^]]*\]", proc.stdout))
    assert lines == [f"rank={r} world=2 env={r},2,{r},2,1 launched=True args=['--flag', 'x']" for r in (0, 1)], \
        proc.stdout


@pytest.mark.parametrize("mode", ["raise", "kill", "exit", "exit-builtin"])
def test_failing_rank_ends_plain_mpiexec_job(mode):
    proc = run_ranks("faults.py", mode, check=False, timeout=FAULT_TIMEOUT)
    assert proc.returncode != 0
    assert "finished although" not in proc.stdout
    if mode == "raise":
        assert "RuntimeError: rank 1 failed" in proc.stderr
    if mode in ("exit", "exit-builtin"):
        assert proc.returncode == 3


def test_caught_exit_does_not_end_plain_mpiexec_job():
    proc = run_ranks("faults.py", "exit-caught", check=False, timeout=FAULT_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert "finished although" in proc.stdout


@pytest.mark.parametrize("mode", ["raise-early", "exit", "raise-exit"])
def test_failing_rank_ends_launched_job(mode):
    proc = launch("-n", 2, WORKERS / "faults.py", mode)
    assert proc.returncode != 0
    assert "finished although" not in proc.stdout


def test_launcher_rejects_bad_counts():
    proc = launch("-n", "zero", WORKERS / "launched.py")
    assert proc.returncode == 2 and "--nproc-per-node must be an integer, 'auto' or 'cpu', got 'zero'" in proc.stderr


def test_exit_builtins_restored_after_destroy_process_group():
    """``exit`` and ``quit`` are site's again once the group is gone (a one-rank group replaces nothing)."""
    proc = run_ranks("exit_builtins.py", check=False, timeout=FAULT_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("replaced=True restored=True") == 2, proc.stdout
