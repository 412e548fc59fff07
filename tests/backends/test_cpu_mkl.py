"""Choosing the BLAS of numbatorch's own products: NUMBATORCH_BLAS, a missing MKL, and MKL loaded only at the first
product."""
import os
import subprocess
import sys

import numpy as np
import pytest

from numbatorch.backends.cpu import _mkl, _split_gemm

from .blas_providers import use


def test_openblas_requested_keeps_numpys_blas(monkeypatch):
    use(monkeypatch, "openblas")
    assert not _mkl.available() and not _split_gemm.direct()


def test_mkl_requested_but_missing_warns_and_keeps_numpys_blas(monkeypatch):
    use(monkeypatch, "openblas")
    monkeypatch.setenv("NUMBATORCH_BLAS", "mkl")
    monkeypatch.setattr(_mkl, "_searched", False)
    monkeypatch.setattr(_mkl, "_library_paths", lambda: [])
    with pytest.warns(RuntimeWarning, match="NUMBATORCH_BLAS=mkl"):
        assert not _mkl.available()
    a = np.ones((128, 128), np.float32)
    assert np.array_equal(_split_gemm.matmul(a, a, 1, False), np.matmul(a, a))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_mkl_is_loaded_at_the_first_product_not_at_import():
    script = ("import numbatorch\n"
              "loaded = lambda: 'libmkl_rt' in open('/proc/self/maps').read()\n"
              "at_import = loaded()\n"
              "numbatorch.ones(128, 128) @ numbatorch.ones(128, 128)\n"
              "print(at_import, loaded())\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env=dict(os.environ, NUMBATORCH_BLAS=""))
    at_import, after_product = out.stdout.split()
    assert at_import == "False"
    assert after_product == str(_mkl._load() is not None)
