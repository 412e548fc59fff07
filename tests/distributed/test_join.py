"""Join (torch.distributed.algorithms.join) on 2 MPI ranks with uneven inputs (a custom Joinable and DDP), and
the torch.distributed.tensor names."""
import pytest

from numbatorch.distributed.algorithms.join import Join

from .mpi_launch import run_ranks


def test_join_and_ddp_join_on_uneven_inputs():
    proc = run_ranks("join.py")
    assert proc.stdout.count("join OK") == 2, proc.stdout


def test_join_needs_a_joinable():
    with pytest.raises(ValueError, match="requires at least one joinable"):
        Join([])


def test_dtensor_names_import_and_raise_naming_the_api():
    import numbatorch
    from numbatorch.distributed.tensor import DTensor, Shard, distribute_tensor
    assert not isinstance(numbatorch.zeros(2), DTensor)
    with pytest.raises(NotImplementedError, match=r"torch\.distributed\.tensor\.Shard: DTensor"):
        Shard(0)
    with pytest.raises(NotImplementedError, match=r"torch\.distributed\.tensor\.distribute_tensor: DTensor"):
        distribute_tensor(numbatorch.zeros(2), None, None)
