"""The BLAS providers numbatorch's own products can run on here (numpy's OpenBLAS, and Intel MKL where the ``mkl``
wheel loads), and a switch between them for a test."""
import pytest

from numbatorch.backends.cpu import _mkl, _split_gemm


def _mkl_loads():
    try:
        return _mkl._load() is not None
    except Exception:  # a broken install: the MKL rows skip
        return False


PROVIDERS = [pytest.param("openblas"),
             pytest.param("mkl", marks=pytest.mark.skipif(not _mkl_loads(), reason="the mkl wheel is not installed"))]


def use(monkeypatch, provider):
    """Products from here to the test's end run on ``provider`` ("openblas" or "mkl"), as NUMBATORCH_BLAS says."""
    monkeypatch.setenv("NUMBATORCH_BLAS", provider)
    for module, name, value in ((_mkl, "_searched", False), (_mkl, "_functions", None), (_split_gemm, "_gemms", None),
                                (_split_gemm, "_through_numpy", True)):
        monkeypatch.setattr(module, name, value)
    assert _split_gemm.direct() == (provider == "mkl")
