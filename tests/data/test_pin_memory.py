"""DataLoader(pin_memory=True): the same batches, PyTorch's warnings where there is no device to pin for."""
import warnings

import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")


def _batches_and_warnings(lib, **options):
    ds = lib.utils.data.TensorDataset(lib.arange(10.0).reshape(5, 2), lib.arange(5))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batches = list(lib.utils.data.DataLoader(ds, batch_size=2, **options))
    return batches, [str(w.message) for w in caught]


@pytest.mark.parametrize("options", [dict(pin_memory=True), dict(pin_memory=True, pin_memory_device="cuda"),
                                     dict(pin_memory=False, pin_memory_device="cuda")])
def test_pin_memory_batches_and_warnings_match_torch(options):
    ours, our_warnings = _batches_and_warnings(numbatorch, **options)
    theirs, their_warnings = _batches_and_warnings(torch, **options)
    if not numbatorch.cuda.is_available() and not torch.cuda.is_available():
        assert our_warnings == their_warnings
    assert len(ours) == len(theirs)
    for (ox, oy), (tx, ty) in zip(ours, theirs):
        np.testing.assert_array_equal(ox.numpy(), tx.numpy())
        np.testing.assert_array_equal(oy.numpy(), ty.numpy())
