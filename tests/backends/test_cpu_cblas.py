"""backends/cpu/_cblas.gemm (the row-offset convolution's beta = 1 products) against numpy."""
import ctypes

import numpy as np
import pytest

from numbatorch.backends.cpu import _cblas, _split_gemm, blas

from .blas_providers import PROVIDERS, use


def _loaded_openblas_exports_cblas_gemm():
    """Whether an OpenBLAS this process loaded exports a CBLAS dgemm under any of its wheels' names, found by
    reading the process's mappings (not through threadpoolctl, as ``_cblas`` does); on a system without
    /proc, whether numpy was built against OpenBLAS."""
    np.ones((2, 2)) @ np.ones((2, 2))
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()}
    except OSError:
        return "openblas" in np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]
    names = [f"{prefix}cblas_dgemm{suffix}" for prefix in ("", "scipy_") for suffix in ("", "64_")]
    return any(hasattr(ctypes.CDLL(path), name) for path in paths for name in names)


# Skipped only where numpy's BLAS has no CBLAS gemm: where it has one, a failed lookup is a failure.
pytestmark = pytest.mark.skipif(not _loaded_openblas_exports_cblas_gemm(), reason="numpy's BLAS has no OpenBLAS "
                                "CBLAS gemm")


def test_lookup_finds_the_gemm_numpy_loaded():
    assert _cblas.available()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a, trans_b", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("m, k, n", [(5, 7, 3), (1, 4, 6), (3, 1, 1), (0, 4, 2), (2, 0, 3)])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_gemm_on_strided_windows_matches_numpy(m, k, n, trans_a, trans_b, dtype, provider, monkeypatch):
    """op(a) @ op(b) + beta * c on column windows of wider arrays (leading dimension = row pitch)."""
    use(monkeypatch, provider)
    rng = np.random.default_rng(0)

    def window(rows, cols):
        wide = rng.standard_normal((rows, cols + 5)).astype(dtype)
        return wide[:, 2:2 + cols]
    a = window(k, m) if trans_a else window(m, k)
    b = window(n, k) if trans_b else window(k, n)
    for beta in (0.0, 1.0):
        c = window(m, n)
        want = (a.T if trans_a else a) @ (b.T if trans_b else b) + beta * c
        _cblas.gemm(a, b, c, beta, trans_a, trans_b)
        np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_gemm_series_of_offset_windows_matches_numpy(trans_a, dtype, provider, monkeypatch):
    """count products whose operands advance by fixed element steps: stacked a, overlapping column windows of b
    (and of c), beta for the first product and 1 for the rest, as the row-offset convolution calls it."""
    use(monkeypatch, provider)
    rng = np.random.default_rng(1)
    count, m, k, n, step = 3, 4, 5, 6, 2
    a = rng.standard_normal((count, k, m) if trans_a else (count, m, k)).astype(dtype)
    wide = rng.standard_normal((k, n + (count - 1) * step + 3)).astype(dtype)
    for beta in (0.0, 1.0):
        c = rng.standard_normal((m, n)).astype(dtype)
        want = beta * c + sum((a[i].T if trans_a else a[i]) @ wide[:, i * step:i * step + n] for i in range(count))
        _cblas.gemm(a[0], wide[:, :n], c, beta, trans_a, count=count, steps=(a[0].size, step, 0))
        np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)
    out = np.zeros((m, n + (count - 1) * step), dtype)     # c's windows overlap: later products add on
    want = out.copy()
    for i in range(count):
        want[:, i * step:i * step + n] += (a[i].T if trans_a else a[i]) @ wide[:, :n]
    _cblas.gemm(a[0], wide[:, :n], out[:, :n], 0.0, trans_a, count=count, steps=(a[0].size, 0, step))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_gemm_runs_on_the_provider(dtype, provider, monkeypatch):
    """The provider's own bits: MKL's one-call product where it is installed and chosen, else numpy's matmul (the
    same OpenBLAS) on one thread."""
    use(monkeypatch, provider)
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((70, 90)).astype(dtype), rng.standard_normal((90, 50)).astype(dtype)
    c = np.empty((70, 50), dtype)
    _cblas.gemm(a, b, c)
    if provider == "mkl":
        assert np.array_equal(c, _split_gemm.whole(a, b))
    else:
        with blas.single_threaded():
            assert np.array_equal(c, np.matmul(a, b))
