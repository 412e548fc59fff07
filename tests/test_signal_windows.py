"""``torch.signal.windows`` against PyTorch: every window, symmetric and periodic, its arguments and errors."""
import re

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_CASES = [("bartlett", {}), ("blackman", {}), ("cosine", {}), ("exponential", {"tau": 2.5}), ("gaussian", {"std": 0.7}),
          ("general_cosine", {"a": [0.5, 0.3, 0.2]}), ("general_hamming", {"alpha": 0.6}), ("hamming", {}),
          ("hann", {}), ("kaiser", {"beta": 4.0}), ("nuttall", {})]


@pytest.mark.parametrize("name, kwargs", _CASES, ids=[n for n, _ in _CASES])
@pytest.mark.parametrize("M", [0, 1, 2, 7, 10])
@pytest.mark.parametrize("sym", [True, False])
def test_windows_match_pytorch(name, kwargs, M, sym):
    for dtype in ("float64", "float32"):
        ours = getattr(nt.signal.windows, name)(M, sym=sym, dtype=getattr(nt, dtype), **kwargs)
        theirs = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype), **kwargs)
        assert str(ours.dtype).split(".")[-1] == dtype and tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-6 if dtype == "float32" else 1e-12,
                                   atol=1e-6 if dtype == "float32" else 1e-12)


def test_periodic_exponential_takes_a_center():
    np.testing.assert_allclose(nt.signal.windows.exponential(6, sym=False, center=1.0).numpy(),
                               torch.signal.windows.exponential(6, sym=False, center=1.0).numpy(), rtol=1e-6)


@pytest.mark.parametrize("name, kwargs", [("hann", {"M": -1}), ("exponential", {"M": 3, "tau": 0}),
                                          ("exponential", {"M": 3, "center": 1.0}), ("gaussian", {"M": 3, "std": 0}),
                                          ("kaiser", {"M": 3, "beta": -1}), ("general_cosine", {"M": 3, "a": 1.0})])
def test_window_errors_match_pytorch(name, kwargs):
    with pytest.raises((ValueError, TypeError)) as expected:
        getattr(torch.signal.windows, name)(**kwargs)
    with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
        getattr(nt.signal.windows, name)(**kwargs)
