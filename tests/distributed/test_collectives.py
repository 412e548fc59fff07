"""Every collective of numbatorch.distributed on 2 and 3 MPI ranks, against numpy (the checks run in the worker)."""
import subprocess
import sys

import pytest

import numbatorch.distributed as dist

from .mpi_launch import run_ranks


@pytest.mark.parametrize("ranks", [2, 3])  # 3: a two-rank subgroup, a world size that is no power of two
def test_collectives_match_numpy(ranks):
    proc = run_ranks("collectives.py", n=ranks)
    assert proc.stdout.count("collectives OK") == ranks, proc.stdout


def test_import_does_not_start_mpi():
    code = "import sys, numbatorch, numbatorch.distributed as d; d.is_available(); print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_uninitialized_calls_raise_like_pytorch():
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()


def test_only_the_mpi_backend():
    with pytest.raises(ValueError, match="runs on MPI only"):
        dist.init_process_group(backend="nccl")


def test_init_method_and_store_are_mpi_s():
    with pytest.raises(ValueError, match="init_method 'tcp://127.0.0.1:23456' is not supported"):
        dist.init_process_group("mpi", init_method="tcp://127.0.0.1:23456")
    assert not dist.is_initialized()
