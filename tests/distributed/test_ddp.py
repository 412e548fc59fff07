"""DistributedDataParallel on 2 MPI ranks against single-process training on the whole batch."""
import pytest

import numbatorch as torch
from numbatorch.nn.parallel import DataParallel, data_parallel

from .mpi_launch import run_ranks


def test_ddp_matches_single_process_training():
    proc = run_ranks("ddp.py")
    assert proc.stdout.count("ddp OK") == 2, proc.stdout


def test_data_parallel_runs_the_module_as_pytorch_does_on_cpu():
    pt = pytest.importorskip("torch")
    net = torch.nn.Linear(3, 2)
    ref = pt.nn.Linear(3, 2)
    ref.load_state_dict({k: pt.from_numpy(v.numpy()) for k, v in net.state_dict().items()})
    x = torch.randn(4, 3)
    wrapped, ref_wrapped = DataParallel(net), pt.nn.DataParallel(ref)
    assert list(wrapped.state_dict()) == list(ref_wrapped.state_dict())
    assert wrapped.module is net
    expected = ref_wrapped(pt.from_numpy(x.numpy())).detach().numpy()
    assert abs(wrapped(x).detach().numpy() - expected).max() < 1e-6
    # PyTorch's data_parallel raises without a GPU; numbatorch's evaluates the module (see its docstring)
    assert abs(data_parallel(net, x, device_ids=[0]).detach().numpy() - expected).max() < 1e-6


def test_distributed_sampler_defaults_need_the_process_group():
    data = list(range(10))
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        torch.utils.data.DistributedSampler(data)
    assert len(torch.utils.data.DistributedSampler(data, num_replicas=2, rank=1)) == 5
