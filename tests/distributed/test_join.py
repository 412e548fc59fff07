"""Join (torch.distributed.algorithms.join) on 2 MPI ranks with uneven inputs: a custom Joinable and DDP."""
import pytest

from numbatorch.distributed.algorithms.join import Join

from .mpi_launch import run_ranks


def test_join_and_ddp_join_on_uneven_inputs():
    proc = run_ranks("join.py")
    assert proc.stdout.count("join OK") == 2, proc.stdout


def test_join_needs_a_joinable():
    with pytest.raises(ValueError, match="requires at least one joinable"):
        Join([])
