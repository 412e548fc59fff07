"""Saving 'cuda' tensors records their device as PyTorch does; load(map_location=...) moves them both ways."""
import io

import numpy as np
import pytest

import numbatorch

CUDA = numbatorch.device("cuda", 0)
CPU = numbatorch.device("cpu")


def _saved(obj):
    buf = io.BytesIO()
    numbatorch.save(obj, buf)
    return buf.getvalue()


def _state():
    numbatorch.manual_seed(0)
    net = numbatorch.nn.Sequential(numbatorch.nn.Linear(3, 2), numbatorch.nn.BatchNorm1d(2))
    return net.state_dict()


def test_cuda_state_dict_is_tagged_cuda_and_reads_in_torch():
    torch = pytest.importorskip("torch")
    state = _state()
    data = _saved({k: v.cuda() for k, v in state.items()})
    theirs = torch.load(io.BytesIO(data), map_location="cpu")
    assert theirs.keys() == state.keys()
    for k, v in state.items():
        np.testing.assert_array_equal(theirs[k].numpy(), v.numpy())
    if not torch.cuda.is_available():  # torch sees the 'cuda:0' tags: it refuses them without a GPU
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            torch.load(io.BytesIO(data))


@pytest.mark.parametrize("map_location,device", [(None, CUDA), ("cpu", CPU), (CPU, CPU), ({"cuda:0": "cpu"}, CPU),
                                                 (lambda storage, location: storage.cpu(), CPU), ("cuda", CUDA),
                                                 (lambda storage, location: None, CUDA)])
def test_cuda_checkpoint_loads_where_map_location_says(map_location, device):
    state = _state()
    loaded = numbatorch.load(io.BytesIO(_saved({k: v.cuda() for k, v in state.items()})), map_location=map_location)
    for k, v in state.items():
        assert loaded[k].device == device, k
        assert numbatorch.equal(loaded[k].cpu(), v), k


@pytest.mark.parametrize("map_location", ["cuda", "cuda:0", CUDA, {"cpu": "cuda:0"},
                                          lambda storage, location: storage.cuda()])
def test_cpu_checkpoint_maps_to_cuda(map_location):
    state = _state()
    loaded = numbatorch.load(io.BytesIO(_saved(state)), map_location=map_location)
    for k, v in state.items():
        assert loaded[k].device == CUDA and numbatorch.equal(loaded[k].cpu(), v), k
    net = numbatorch.nn.Sequential(numbatorch.nn.Linear(3, 2), numbatorch.nn.BatchNorm1d(2)).cuda()
    net.load_state_dict(loaded)
    assert all(t.device == CUDA for t in net.state_dict().values())


def test_views_of_one_storage_still_share_it_on_cuda():
    base = numbatorch.arange(6.0)
    loaded = numbatorch.load(io.BytesIO(_saved({"all": base, "tail": base[2:].view(2, 2)})), map_location="cuda")
    assert loaded["all"].device == CUDA and loaded["tail"].device == CUDA
    loaded["all"].add_(10.0)
    assert numbatorch.equal(loaded["tail"].cpu(), base[2:].view(2, 2) + 10.0)


def test_parameters_and_device_objects_keep_their_device():
    param = numbatorch.nn.Parameter(numbatorch.randn(2, 2, device="cuda"))
    loaded = numbatorch.load(io.BytesIO(_saved({"p": param, "where": param.device})), weights_only=True)
    assert isinstance(loaded["p"], numbatorch.nn.Parameter) and loaded["p"].device == CUDA
    assert loaded["where"] == CUDA and numbatorch.equal(loaded["p"].cpu(), param.detach().cpu())


def test_views_of_one_cuda_storage_are_saved_once():
    torch = pytest.importorskip("torch")
    base = numbatorch.arange(12.0, device="cuda")
    data = _saved({"all": base, "rows": base.view(3, 4)[1:], "column": base.view(3, 4)[:, 2]})
    theirs = torch.load(io.BytesIO(data), map_location="cpu")
    theirs["all"].add_(100.0)  # one storage in the file: the views see the change
    assert theirs["rows"].tolist() == (base.view(3, 4)[1:].cpu() + 100.0).tolist()
    assert theirs["column"].tolist() == (base.view(3, 4)[:, 2].cpu() + 100.0).tolist()
    ours = numbatorch.load(io.BytesIO(data))
    assert all(v.device == CUDA for v in ours.values())
    assert numbatorch.equal(ours["column"].cpu(), base.view(3, 4)[:, 2].cpu())


def test_missing_device_index_raises_torchs_error():
    count = numbatorch.cuda.device_count()
    with pytest.raises(RuntimeError, match=rf"^Attempting to deserialize object on CUDA device {count} but "
                                           rf"torch\.cuda\.device_count\(\) is {count}\. Please use torch\.load with "
                                           "map_location to map your storages to an existing device\\.$"):
        numbatorch.load(io.BytesIO(_saved(_state())), map_location=f"cuda:{count}")
