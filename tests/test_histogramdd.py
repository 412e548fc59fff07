"""``histogramdd`` against PyTorch: bins as counts or edges, ranges, weights, density and errors."""
import re

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_POINTS = np.random.default_rng(0).standard_normal((50, 2))


def _both(points, **kwargs):
    results = []
    for lib in (nt, torch):
        args = {k: ([lib.tensor(b) for b in v] if k == "bins" and isinstance(v, list) and
                    isinstance(v[0], np.ndarray) else lib.tensor(v) if k == "weight" else v)
                for k, v in kwargs.items()}
        results.append(lib.histogramdd(lib.tensor(points), **args))
    return results


@pytest.mark.parametrize("kwargs", [{"bins": 4}, {"bins": [3, 5]}, {"bins": 3, "range": [-1.0, 1.0, -2.0, 0.5]},
                                    {"bins": [2, 3], "density": True},
                                    {"bins": 3, "weight": np.arange(50.0)},
                                    {"bins": [np.array([-3.0, 0.0, 0.5, 3.0]), np.array([-1.0, 1.0])]}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histogramdd_matches_pytorch(kwargs, dtype):
    kwargs = {k: (v.astype(dtype) if isinstance(v, np.ndarray) else
                  [b.astype(dtype) for b in v] if isinstance(v, list) and isinstance(v[0], np.ndarray) else v)
              for k, v in kwargs.items()}
    ours, theirs = _both(_POINTS.astype(dtype), **kwargs)
    assert type(ours).__name__ == type(theirs).__name__ == "histogramdd"
    assert ours.hist.dtype == getattr(nt, np.dtype(dtype).name)
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-6)
    assert len(ours.bin_edges) == len(theirs.bin_edges)
    for e, te in zip(ours.bin_edges, theirs.bin_edges):
        np.testing.assert_allclose(e.numpy(), te.numpy(), rtol=1e-6, atol=1e-6)


def test_histogramdd_of_a_constant_column_widens_the_range_as_pytorch():
    ours, theirs = _both(np.ones((3, 1)), bins=2)
    np.testing.assert_array_equal(ours.hist.numpy(), theirs.hist.numpy())
    np.testing.assert_array_equal(ours.bin_edges[0].numpy(), theirs.bin_edges[0].numpy())


@pytest.mark.parametrize("points, kwargs", [(np.zeros((2, 2)), {"bins": [2]}),
                                            (np.zeros((2, 2)), {"bins": 2, "range": [1.0, 0.0, 0.0, 1.0]}),
                                            (np.zeros((2, 2), dtype=np.int64), {"bins": 2})])
def test_histogramdd_errors_match_pytorch(points, kwargs):
    with pytest.raises((RuntimeError, NotImplementedError)) as expected:
        torch.histogramdd(torch.tensor(points), **kwargs)
    with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
        nt.histogramdd(nt.tensor(points), **kwargs)
