"""Checkpoint allow-list API (issue 17 item 4): add_safe_globals, safe_globals, get/clear_safe_globals,
get_unsafe_globals_in_checkpoint and PyTorch's default allow-list, on checkpoints written by real torch."""
import io
import os
import pickle
import re
from collections import Counter, OrderedDict

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import serialization as ser


class Point:
    """A user class that a checkpoint may hold (module-level, so both frameworks find it by name)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    torch.serialization.clear_safe_globals()
    ser.clear_safe_globals()
    yield torch
    torch.serialization.clear_safe_globals()
    ser.clear_safe_globals()


def _saved_by(torch, obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _unpickler_error(load, data):
    """The ``WeightsUnpickler error: ...`` line of a refused weights-only load."""
    with pytest.raises(pickle.UnpicklingError) as info:
        load(io.BytesIO(data), weights_only=True)
    found = re.search(r"WeightsUnpickler error: (.*)", str(info.value))
    return found.group(1) if found else str(info.value)


def test_default_allowlist_accepts_protocol2_builtins(torch):
    # torch writes protocol 2: set, complex and bytearray appear as __builtin__ globals
    obj = {"set": {1, 2, 3}, "complex": 1.5 - 2j, "bytes": bytearray(b"\x00ab"), "counter": Counter("abracadabra"),
           "ordered": OrderedDict([("b", 1), ("a", 2)]), "tensor": torch.arange(4.0), "size": torch.Size([2, 3]),
           "dtype": torch.float64, "device": torch.device("cpu"), "nested": [(1, "x"), {"k": None}]}
    data = _saved_by(torch, obj)
    theirs = torch.load(io.BytesIO(data), weights_only=True)
    ours = nt.load(io.BytesIO(data), weights_only=True)
    assert ours.keys() == theirs.keys()
    for key in ("set", "complex", "bytes", "counter", "ordered", "nested"):
        assert ours[key] == theirs[key] and type(ours[key]) is type(theirs[key])
    np.testing.assert_array_equal(ours["tensor"].numpy(), theirs["tensor"].numpy())
    assert tuple(ours["size"]) == tuple(theirs["size"]) and ours["dtype"] is nt.float64
    assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == []
    assert torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == []


def test_refusal_names_the_allowlist_api_like_pytorch(torch):
    data = _saved_by(torch, {"p": Point(1, 2)})
    ours = _unpickler_error(nt.load, data)
    assert ours == _unpickler_error(torch.load, data)
    assert f"add_safe_globals([{__name__}.Point])" in ours
    assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == \
        torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == [f"{__name__}.Point"]


def test_add_get_clear_safe_globals(torch):
    data = _saved_by(torch, {"p": Point(1, 2)})
    for api in (ser, torch.serialization):
        api.add_safe_globals([Point])
        assert api.get_safe_globals() == [Point]
    assert nt.load(io.BytesIO(data), weights_only=True) == torch.load(io.BytesIO(data), weights_only=True)
    assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == []
    for api in (ser, torch.serialization):
        api.clear_safe_globals()
        assert api.get_safe_globals() == []
    assert _unpickler_error(nt.load, data) == _unpickler_error(torch.load, data)


def test_safe_globals_context_manager(torch):
    data = _saved_by(torch, {"p": Point(3, 4)})
    with ser.safe_globals([Point]), torch.serialization.safe_globals([Point]):
        assert ser.get_safe_globals() == torch.serialization.get_safe_globals() == [Point]
        assert nt.load(io.BytesIO(data)) == torch.load(io.BytesIO(data)) == {"p": Point(3, 4)}
    assert ser.get_safe_globals() == torch.serialization.get_safe_globals() == []
    assert _unpickler_error(nt.load, data) == _unpickler_error(torch.load, data)


def test_tuple_entries_name_the_checkpoint_path(torch):
    data = _saved_by(torch, [Point(5, 6)])
    entry = (Point, f"{__name__}.Point")
    with ser.safe_globals([entry]), torch.serialization.safe_globals([entry]):
        assert nt.load(io.BytesIO(data)) == torch.load(io.BytesIO(data))
    for bad, error in (((Point,), ValueError), ((Point, 3), TypeError)):
        for api, load in ((ser, nt.load), (torch.serialization, torch.load)):
            with api.safe_globals([bad]), pytest.raises(error, match="Expected"):
                load(io.BytesIO(data), weights_only=True)


def test_blocked_modules_stay_refused(torch, tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    data = _saved_by(torch, {"x": Evil()})
    with ser.safe_globals([os.system]), torch.serialization.safe_globals([os.system]):
        with pytest.raises(pickle.UnpicklingError, match="is blocked") as ours:
            nt.load(io.BytesIO(data), weights_only=True)
        with pytest.raises(pickle.UnpicklingError) as theirs:
            torch.load(io.BytesIO(data), weights_only=True)
    blocked = re.compile(r"Trying to load unsupported GLOBAL \S+ whose module \S+ is blocked\.")
    assert blocked.search(str(ours.value)).group(0) == blocked.search(str(theirs.value)).group(0)


def test_get_unsafe_globals_rejects_non_checkpoints(torch):
    for api in (ser, torch.serialization):
        with pytest.raises(ValueError, match="Expected input to be a checkpoint returned by torch.save"):
            api.get_unsafe_globals_in_checkpoint(io.BytesIO(b"not a zip file"))


def _checkpoint_naming(module, name):
    """A .pt archive whose pickle is just ``GLOBAL module name``, as a hostile file could write it."""
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02c" + f"{module}\n{name}\n".encode() + b".")
        zf.writestr("archive/version", "3\n")
    return buf.getvalue()


@pytest.mark.parametrize("module, name", [("torch.__main__", "main"), ("torch.serialization", "os.system"),
                                          ("numbatorch.serialization", "os.system")])
def test_torch_paths_never_reach_beyond_numbatorch(module, name):
    import sys
    data = _checkpoint_naming(module, name)
    with ser.safe_globals([os.system, nt.nn.Linear]):
        with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
            nt.load(io.BytesIO(data), weights_only=True)
        assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == [f"{module}.{name}"]
    if module.startswith("torch."):
        with pytest.raises(NotImplementedError, match="numbatorch does not implement"):
            nt.load(io.BytesIO(data), weights_only=False)
    assert "numbatorch.__main__" not in sys.modules  # importing it would run the command line
