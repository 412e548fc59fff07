"""relu of the dtypes its kernel does not take (float16, bfloat16, integers) against PyTorch bit for bit: -0.0 and
NaN pass through, negatives become +0."""
import numpy as np
import pytest

import numbatorch as nt


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int8", "int32", "int64"])
def test_bits_as_torch(dtype):
    torch = pytest.importorskip("torch")
    values = [-0.0, 0.0, -1.5, float("nan"), float("-inf"), float("inf"), 2.5] if "float" in dtype else [-3, 0, 7]
    ours = nt.relu(nt.tensor(values, dtype=getattr(nt, dtype)))
    theirs = torch.relu(torch.tensor(values, dtype=getattr(torch, dtype)))
    assert str(ours.dtype) == str(theirs.dtype).replace("torch", "numbatorch")
    width = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[theirs.element_size()]
    theirs_bits = theirs.view(getattr(torch, {1: "uint8", 2: "int16", 4: "int32", 8: "int64"}[theirs.element_size()]))
    assert np.array_equal(ours.numpy().view(width), theirs_bits.numpy().view(width))
