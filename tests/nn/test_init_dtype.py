"""nn.init draws in the parameter's dtype: same bounds and moments as PyTorch's, storage written in place."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn import init

N = 400_000  # large enough that the sample moments sit within a few 1e-3 of the population's


def _torch():
    return pytest.importorskip("torch")


CASES = [
    ("uniform_", (-0.3, 0.7)),
    ("normal_", (1.5, 0.25)),
    ("xavier_uniform_", ()),
    ("xavier_normal_", ()),
    ("kaiming_uniform_", (5 ** 0.5,)),
    ("kaiming_normal_", (0, "fan_out", "relu")),
    ("trunc_normal_", (0.0, 0.02, -0.04, 0.04)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, args", CASES)
def test_distribution_matches_torch(name, args, dtype):
    torch = _torch()
    shape = (400, 1000)
    ours = getattr(init, name)(nt.empty(*shape, dtype=getattr(nt, dtype)), *args)
    theirs = getattr(torch.nn.init, name)(torch.empty(*shape, dtype=getattr(torch, dtype)), *args)
    assert ours.dtype == getattr(nt, dtype)
    a, b = ours.numpy(), theirs.numpy()
    assert a.dtype == b.dtype
    spread = float(b.std())
    # Sample mean/std of 4e5 draws differ from the population's by well under 1% of the spread.
    assert abs(a.mean() - b.mean()) < 0.01 * spread
    assert abs(a.std() - b.std()) < 0.01 * spread
    if name.endswith("uniform_") or name == "trunc_normal_":
        # Bounded draws: both fill the same interval up to sampling resolution.
        assert a.min() >= b.min() - 1e-3 * spread and a.max() <= b.max() + 1e-3 * spread
        assert abs(a.min() - b.min()) < 0.01 * spread and abs(a.max() - b.max()) < 0.01 * spread


def test_draw_writes_the_storage_in_place():
    w = nt.empty(64, 32)
    storage = w._data
    version = w._version
    init.uniform_(w, 2.0, 3.0)
    assert w._data is storage and w._version == version + 1
    assert 2.0 <= float(w.min()) and float(w.max()) <= 3.0


def test_non_contiguous_and_half_targets():
    w = nt.empty(50, 40).t()
    init.normal_(w, 0.0, 2.0)
    assert abs(float(w.std()) - 2.0) < 0.1
    h = nt.empty(200, 100, dtype=nt.float16)
    init.uniform_(h, -1.0, 1.0)
    assert h.dtype == nt.float16 and -1.0 <= float(h.min()) and float(h.max()) <= 1.0


def test_manual_seed_reproducible_in_float32():
    nt.manual_seed(7)
    first = nt.nn.Linear(30, 20).weight.detach().numpy().copy()
    nt.manual_seed(7)
    second = nt.nn.Linear(30, 20).weight.detach().numpy()
    np.testing.assert_array_equal(first, second)
    g = nt.Generator().manual_seed(3)
    a = init.normal_(nt.empty(10), generator=g).numpy().copy()
    g.manual_seed(3)
    np.testing.assert_array_equal(a, init.normal_(nt.empty(10), generator=g).numpy())
