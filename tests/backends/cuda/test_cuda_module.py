"""numbatorch.cuda's device queries where a device (or the simulator) is usable."""
import os

import pytest

import numbatorch


def test_device_queries():
    assert numbatorch.cuda.is_available()
    n = numbatorch.cuda.device_count()
    assert n >= 1
    index = numbatorch.cuda.current_device()
    assert 0 <= index < n
    name = numbatorch.cuda.get_device_name()
    assert isinstance(name, str) and name
    assert numbatorch.cuda.get_device_name(f"cuda:{index}") == name == numbatorch.cuda.get_device_name(index)
    numbatorch.cuda.synchronize()
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        assert n == 1 and "Simulator" in name


def test_invalid_device_index_raises_like_torch():
    with pytest.raises(AssertionError, match="Invalid device id"):
        numbatorch.cuda.get_device_name(numbatorch.cuda.device_count())
    with pytest.raises(ValueError, match="Expected a cuda device"):
        numbatorch.cuda.synchronize("cpu")
