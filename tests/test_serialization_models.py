"""Whole models pickled by either framework load in the other (PyTorch's module paths), allow-lists naming
those paths, and TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD / TORCH_FORCE_WEIGHTS_ONLY_LOAD as PyTorch reads them."""
import inspect
import io
import pickle
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import nn, serialization as ser
from numbatorch._serialization_names import numbatorch_global, torch_name_of


def _cnn(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3, padding=1), lib.nn.BatchNorm2d(4), lib.nn.ReLU(),
                             lib.nn.MaxPool2d(2), lib.nn.Flatten(), lib.nn.Linear(4 * 4 * 4, 5), lib.nn.Dropout(0.2))


def _encoder(lib):
    # holds MultiheadAttention (torch.nn.modules.activation), its NonDynamicallyQuantizableLinear and F.relu
    return lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)


def _lstm(lib):
    return lib.nn.LSTM(4, 6, num_layers=2, batch_first=True)


_INPUTS = {_cnn: (2, 3, 8, 8), _encoder: (2, 5, 8), _lstm: (2, 5, 4)}


def _run(model, lib, x):
    out = model(lib.tensor(x))
    out = out[0] if isinstance(out, tuple) else out
    return out.detach().numpy()


def _save(lib, obj):
    buf = io.BytesIO()
    lib.save(obj, buf)
    return io.BytesIO(buf.getvalue())


@pytest.mark.parametrize("make", [_cnn, _encoder, _lstm])
def test_whole_model_saved_by_torch_loads_here(make):
    torch = pytest.importorskip("torch")
    theirs = make(torch).eval()
    ours = nt.load(_save(torch, theirs), weights_only=False)
    assert type(ours) is getattr(nn, type(theirs).__name__)
    x = np.random.default_rng(0).standard_normal(_INPUTS[make]).astype(np.float32)
    with torch.no_grad():
        expected = _run(theirs, torch, x)
    np.testing.assert_allclose(_run(ours, nt, x), expected, rtol=1e-5, atol=1e-6)
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]


@pytest.mark.parametrize("make", [_cnn, _encoder])
def test_whole_model_saved_here_loads_in_torch(make):
    torch = pytest.importorskip("torch")
    ours = make(nt).eval()
    theirs = torch.load(_save(nt, ours), weights_only=False)
    assert type(theirs) is getattr(torch.nn, type(ours).__name__)
    x = np.random.default_rng(1).standard_normal(_INPUTS[make]).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(_run(theirs, torch, x), _run(ours, nt, x), rtol=1e-5, atol=1e-6)


def test_every_layer_and_functional_has_pytorchs_path():
    torch = pytest.importorskip("torch")
    import importlib
    checked = 0
    for home, torch_home in ((nn, torch.nn), (nn.functional, torch.nn.functional)):
        for name, obj in vars(home).items():
            theirs = getattr(torch_home, name, None)
            if name.startswith("_") or theirs is None or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            module, qualname = torch_name_of(obj)
            if qualname != name:  # an alias (native_channel_shuffle) is pickled under its function's own name
                theirs = getattr(torch_home, qualname)
            assert getattr(importlib.import_module(module), qualname) is theirs, (name, module)
            if inspect.isclass(obj):
                # and PyTorch's own path leads back here
                assert numbatorch_global(theirs.__module__, theirs.__qualname__) is obj, name
            checked += 1
    assert checked > 150


def test_allowlist_naming_numbatorch_class_accepts_pytorch_path():
    torch = pytest.importorskip("torch")
    data = _save(torch, torch.nn.Linear(3, 2)).getvalue()
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL torch\.nn\.modules\.linear\.Linear was not"):
        nt.load(io.BytesIO(data))
    assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == ["torch.nn.modules.linear.Linear"]
    for entry in (nn.Linear, (nn.Linear, "torch.nn.modules.linear.Linear")):
        with ser.safe_globals([entry]):
            assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == []
            assert type(nt.load(io.BytesIO(data))) is nn.Linear
    assert ser.get_safe_globals() == []


@pytest.mark.parametrize("lib_name", ["numbatorch", "torch"])
def test_force_weights_only_environment(lib_name, monkeypatch):
    torch = pytest.importorskip("torch")
    lib = nt if lib_name == "numbatorch" else torch
    data = _save(lib, _cnn(lib)).getvalue()
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"):
        assert isinstance(lib.load(io.BytesIO(data)), lib.nn.Sequential)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        lib.load(io.BytesIO(data), weights_only=True)  # an explicit argument wins
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "true")
    with pytest.raises(RuntimeError, match="Only one of"):
        lib.load(io.BytesIO(data))
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        lib.load(io.BytesIO(data), weights_only=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(lib.load(io.BytesIO(_save(lib, {"w": lib.ones(2)}).getvalue())), dict)


@pytest.mark.parametrize("make", [_cnn, _encoder, _lstm])
def test_whole_model_round_trip_here(make):
    ours = make(nt).eval()
    again = nt.load(_save(nt, ours), weights_only=False)
    assert type(again) is type(ours)
    x = np.random.default_rng(2).standard_normal(_INPUTS[make]).astype(np.float32)
    np.testing.assert_array_equal(_run(again, nt, x), _run(ours, nt, x))
