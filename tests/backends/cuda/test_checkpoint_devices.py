"""A checkpoint saved from 'cuda' (storage location 'cuda:0', as torch.save writes on a GPU) loads as PyTorch's
does: on 'cuda' where it is usable, with PyTorch's error where it is not, and anywhere with ``map_location``.

Collected in both runs of this directory: without a device (the plain run) and with one (the simulator's).
"""
import io
import zipfile

import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")


def _torch_checkpoint_from_gpu():
    """What torch.save writes for {'w': 2x3, 'b': 2} tensors on cuda:0: a CPU save whose storage location tag is
    rewritten (the pickle holds the text 'cpu' once, memoised for the second storage; here made 'cuda:0')."""
    buf = io.BytesIO()
    torch.save({"w": torch.arange(6.0).reshape(2, 3), "b": torch.ones(2)}, buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("data.pkl"):
                assert data.count(b"X\x03\x00\x00\x00cpu") == 1
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            zout.writestr(info, data)
    return out.getvalue()


def _expected():
    return {"w": np.arange(6.0, dtype=np.float32).reshape(2, 3), "b": np.ones(2, np.float32)}


def _check(loaded, device):
    for k, v in _expected().items():
        assert loaded[k].device == numbatorch.device(device), k
        np.testing.assert_array_equal(loaded[k].cpu().numpy(), v)


@pytest.mark.parametrize("map_location", [None, "cuda", {"cuda:0": "cuda:0"}])
def test_gpu_checkpoint_loads_on_cuda_or_raises_torchs_error(map_location):
    data = _torch_checkpoint_from_gpu()
    if numbatorch.cuda.is_available():
        _check(numbatorch.load(io.BytesIO(data), map_location=map_location), "cuda:0")
        return
    with pytest.raises(RuntimeError) as theirs:
        torch.load(io.BytesIO(data), map_location=map_location)
    with pytest.raises(RuntimeError) as ours:
        numbatorch.load(io.BytesIO(data), map_location=map_location)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("map_location", ["cpu", b"cpu", numbatorch.device("cpu"), {"cuda:0": "cpu"},
                                          lambda storage, location: storage])
def test_gpu_checkpoint_maps_to_the_cpu(map_location):
    _check(numbatorch.load(io.BytesIO(_torch_checkpoint_from_gpu()), map_location=map_location), "cpu")


def test_unknown_location_tag_raises_like_torch():
    data = _torch_checkpoint_from_gpu()
    with pytest.raises(RuntimeError) as theirs:
        torch.load(io.BytesIO(data), map_location={"cuda:0": "nowhere"})
    with pytest.raises(RuntimeError) as ours:
        numbatorch.load(io.BytesIO(data), map_location={"cuda:0": "nowhere"})
    assert str(ours.value) == str(theirs.value)
