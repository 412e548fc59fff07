"""SyncBatchNorm: on 2 MPI ranks against BatchNorm on the whole batch; in one process, plain batch norm."""
import numpy as np

import numbatorch as torch
from numbatorch.autograd.gradcheck import gradcheck

from .mpi_launch import run_ranks


def test_sync_batchnorm_matches_batchnorm_on_the_whole_batch():
    proc = run_ranks("sync_batchnorm.py")
    assert proc.stdout.count("sync batchnorm OK") == 2, proc.stdout


def test_without_process_group_it_is_batchnorm():
    bn = torch.nn.BatchNorm2d(3).double()
    sync = torch.nn.SyncBatchNorm.convert_sync_batchnorm(torch.nn.Sequential(bn))[0]
    assert isinstance(sync, torch.nn.SyncBatchNorm) and sync.weight is bn.weight
    x = torch.randn(4, 3, 2, 2, dtype=torch.float64, requires_grad=True)
    reference = torch.nn.BatchNorm2d(3).double()
    np.testing.assert_allclose(sync(x).detach().numpy(), reference(x).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(sync.running_var.numpy(), reference.running_var.numpy(), rtol=1e-12)
    assert gradcheck(lambda t: sync(t), (x,))


def test_rejects_1d_input():
    import pytest
    with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
        torch.nn.SyncBatchNorm(3)(torch.randn(3))
