"""numbatorch.keras.ddp.DistributedAccelerator on 2 MPI ranks: sharded loaders, gather/reduce, accumulation."""
from .mpi_launch import run_ranks


def test_distributed_accelerator(tmp_path):
    proc = run_ranks("keras_accelerator.py", tmp_path)
    assert proc.stdout.count("keras accelerator OK") == 2, proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved_by_rank0.pt"]
