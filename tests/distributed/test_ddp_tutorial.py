"""tutorials/ddp_cifar2.py --quick on 2 ranks through the launcher: it learns, rank 0 alone reports and saves."""
import re
import sys

from .mpi_launch import REPO_ROOT, mpiexec, run_job, single_thread_env


def test_ddp_cifar2_quick(tmp_path):
    mpiexec()
    script = REPO_ROOT / "tutorials" / "ddp_cifar2.py"
    cmd = [sys.executable, "-m", "numbatorch.distributed.run", "-n", "2", str(script), "--quick", "--out-dir",
           str(tmp_path)]
    proc = run_job(cmd, single_thread_env(), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("best val_acc=") == 1  # rank 0 only
    # the tiny generated image folder separates easily: chance is 0.5
    assert 0.8 <= float(re.search(r"best val_acc=([0-9.]+)", proc.stdout).group(1)) <= 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]  # no temporary file left behind
