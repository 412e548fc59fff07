"""numbatorch.save/load: PyTorch's .pt zip format in both directions, restricted unpickling, atomic saves."""
import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn.parameter import Parameter
from numbatorch.serialization import load, save


def _sample():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    a = nt.tensor(base)
    view = nt.Tensor._make(a._data.T)  # a non-contiguous view sharing a's memory
    view._base = a
    return OrderedDict([
        ("w", Parameter(nt.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)))),
        ("frozen", Parameter(nt.tensor(np.ones(2, np.float32)), requires_grad=False)),
        ("a", a), ("a_t", view), ("row", nt.Tensor._make(a._data[1])),
        ("i64", nt.tensor([1, -2, 3])), ("i32", nt.tensor(np.array([4, 5], np.int32))),
        ("u8", nt.tensor(np.array([7, 255], np.uint8))), ("b", nt.tensor(np.array([True, False]))),
        ("f16", nt.tensor(np.array([1.5, -2.25], np.float16))), ("f64", nt.tensor(np.array(3.25))),
        ("empty", nt.zeros(0, 3)),
    ])


def _check_same(ours, theirs_numpy):
    assert list(ours) == list(theirs_numpy)
    for k, v in ours.items():
        np.testing.assert_array_equal(v._data, theirs_numpy[k])
        assert v._data.dtype == theirs_numpy[k].dtype


def test_torch_reads_our_file(tmp_path):
    torch = pytest.importorskip("torch")
    sd = _sample()
    obj = {"model": sd, "meta": [1, 2.5, "x", (3, None), b"raw"], "size": nt.Size([2, 3]), "dtype": nt.float64,
           "step": {"step": nt.tensor(4.0)}}
    path = tmp_path / "ours.pt"
    save(obj, path)
    got = torch.load(path, weights_only=True)
    _check_same(sd, {k: v.detach().numpy() for k, v in got["model"].items()})
    assert isinstance(got["model"]["w"], torch.nn.Parameter) and got["model"]["w"].requires_grad
    assert not got["model"]["frozen"].requires_grad
    assert got["meta"] == [1, 2.5, "x", (3, None), b"raw"]
    assert got["size"] == torch.Size([2, 3]) and got["dtype"] is torch.float64
    assert got["step"]["step"].item() == 4.0
    # The transposed view shares storage with its base, as in PyTorch.
    assert got["model"]["a_t"].untyped_storage().data_ptr() == got["model"]["a"].untyped_storage().data_ptr()
    assert got["model"]["a_t"].stride() == (1, 4)
    # Records are 64-byte aligned: torch can memory-map the file.
    mm = torch.load(path, weights_only=True, mmap=True)
    np.testing.assert_array_equal(mm["model"]["a"].numpy(), sd["a"]._data)
    names = zipfile.ZipFile(path).namelist()
    assert names[0] == "ours/data.pkl" and "ours/version" in names and "ours/byteorder" in names


def test_we_read_torch_file(tmp_path):
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    opt = torch.optim.Adam(net.parameters())
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    base = torch.arange(10.0)
    obj = {"sd": net.state_dict(), "opt": opt.state_dict(), "param": torch.nn.Parameter(torch.ones(2)),
           "view": base[2:8:2], "base": base, "bf16": torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
           "size": torch.Size([4]), "dtype": torch.int32, "nested": [(1, "a"), {"k": torch.tensor([True])}]}
    path = tmp_path / "theirs.pt"
    torch.save(obj, path)
    got = load(path)
    _check_same(got["sd"], {k: v.numpy() for k, v in net.state_dict().items()})
    assert list(got["sd"]._metadata) == list(net.state_dict()._metadata)
    assert isinstance(got["param"], Parameter) and got["param"].requires_grad
    np.testing.assert_array_equal(got["view"]._data, [2.0, 4.0, 6.0])
    assert got["bf16"].dtype is nt.bfloat16
    np.testing.assert_array_equal(got["bf16"].float().numpy(), np.array([1.5, -3.0], np.float32))
    assert got["size"] == nt.Size([4]) and got["dtype"] is nt.int32 and got["nested"][0] == (1, "a")
    state = got["opt"]["state"][0]
    np.testing.assert_array_equal(state["exp_avg"]._data, opt.state_dict()["state"][0]["exp_avg"].numpy())
    assert got["opt"]["param_groups"][0]["betas"] == (0.9, 0.999)


def test_roundtrip_file_objects_and_module_state():
    from numbatorch.nn.modules.container import Sequential
    from numbatorch.nn.modules.module import Module

    class Scale(Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(nt.tensor(np.array([1.0, 2.0], np.float32)))
            self.register_buffer("count", nt.tensor([3]))

    model = Sequential(Scale(), Scale())
    buf = io.BytesIO()
    save(model.state_dict(), buf)
    buf.seek(0)
    sd = load(buf)
    other = Sequential(Scale(), Scale())
    other[0].weight._data[:] = 0
    other.load_state_dict(sd)
    np.testing.assert_array_equal(other[0].weight._data, [1.0, 2.0])
    assert list(sd._metadata) == list(model.state_dict()._metadata)
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()[0] == "archive/data.pkl"


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


def test_hostile_pickle_does_not_run(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = str(marker)
    path = tmp_path / "evil.pt"
    # Build a valid .pt archive whose data.pkl calls os.system, as a malicious checkpoint would.
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("evil/data.pkl", pickle.dumps({"x": _Evil()}, protocol=2))
        zf.writestr("evil/version", "3\n")
    with pytest.raises(pickle.UnpicklingError, match="system"):
        load(path)
    with pytest.raises(pickle.UnpicklingError, match="evil.pt"):
        load(path)
    assert not marker.exists()


def test_corrupt_and_truncated_files(tmp_path):
    path = tmp_path / "good.pt"
    save({"w": nt.ones(100)}, path)
    raw = path.read_bytes()
    bad = tmp_path / "truncated.pt"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match="truncated.pt"):
        load(bad)
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty.pt"):
        load(empty)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"hello world, not a checkpoint")
    with pytest.raises(RuntimeError, match="junk.pt"):
        load(junk)


def test_atomic_save_leaves_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save({"w": nt.ones(3)}, path)
    before = path.read_bytes()
    calls = {"n": 0}
    real = zipfile.ZipFile.writestr

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError, match="disk full"):
        save({"w": nt.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]
    with pytest.raises(pickle.PicklingError):
        save({"f": lambda: 1}, path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["ckpt.pt"]
