"""PyTorch's dtype rules for interpolate on integer input and for RMSNorm with input and weight of different
dtypes (issue 17 item 3), compared with PyTorch on the same arrays."""
import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import numbatorch as nt

from ..helpers import dtype_name

# (mode, spatial dims); uint8 bilinear/bicubic, which PyTorch computes in fixed point, are left out
MODES = [("nearest", 1), ("nearest", 2), ("nearest", 3), ("nearest-exact", 1), ("nearest-exact", 2),
         ("nearest-exact", 3), ("linear", 1), ("bilinear", 2), ("bicubic", 2), ("trilinear", 3), ("area", 1),
         ("area", 2), ("area", 3)]


def _outcome(call):
    try:
        out = call()
    except Exception as exc:  # compared with PyTorch's
        return type(exc).__name__, str(exc)
    return "ok", dtype_name(out.dtype), out.numpy()


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("mode,nd", MODES, ids=[f"{m}{n}d" for m, n in MODES])
def test_interpolate_of_integers_like_pytorch(mode, nd, dtype):
    torch = pytest.importorskip("torch")
    if dtype == "uint8" and mode in ("bilinear", "bicubic"):
        pytest.skip("PyTorch's fixed-point uint8 bilinear/bicubic is not implemented")
    x = np.random.default_rng(0).integers(0, 256, (2, 3) + (3, 5, 4)[:nd]).astype(dtype)
    for kwargs in ({"scale_factor": 2}, {"size": (7, 2, 5)[:nd]}):
        ours = _outcome(lambda: nt.nn.functional.interpolate(nt.tensor(x), mode=mode, **kwargs))
        theirs = _outcome(lambda: torch.nn.functional.interpolate(torch.tensor(x), mode=mode, **kwargs))
        assert ours[:2] == theirs[:2]
        if ours[0] == "ok":
            np.testing.assert_array_equal(ours[2], theirs[2])
    module = nt.nn.Upsample(scale_factor=2, mode=mode) if mode != "area" else None
    if module is not None:
        t_module = torch.nn.Upsample(scale_factor=2, mode=mode)
        ours, theirs = _outcome(lambda: module(nt.tensor(x))), _outcome(lambda: t_module(torch.tensor(x)))
        assert ours[:2] == theirs[:2]


def _torch_rms_warnings(input_dtype, weight_dtype):
    """The warnings of two PyTorch rms_norm calls in a fresh process (PyTorch gives this one once per process)."""
    code = ("import warnings, torch\nwarnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n"
            f"    for _ in range(2):\n        torch.rms_norm(torch.ones(2, 3, dtype=torch.{input_dtype}), (3,), "
            f"torch.ones(3, dtype=torch.{weight_dtype}))\n"
            "print(repr([(x.category.__name__, str(x.message).split(' (Triggered')[0]) for x in w]))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("input_dtype,weight_dtype", [("float64", "float32"), ("float16", "float32")])
def test_rms_norm_dtype_mismatch_warns_once_like_pytorch(input_dtype, weight_dtype, monkeypatch):
    torch = pytest.importorskip("torch")
    # the once-per-process flag, reset so that this test sees the first warning
    monkeypatch.setattr(importlib.import_module("numbatorch.nn.functional.rms_norm"), "_warned_mismatch", False)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(input_dtype)
    w = np.random.default_rng(1).standard_normal(3).astype(weight_dtype)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nt.nn.functional.rms_norm(nt.tensor(x), (3,), nt.tensor(x[0]))
        outs = [nt.nn.functional.rms_norm(nt.tensor(x), (3,), nt.tensor(w)) for _ in range(2)]
    assert repr([(c.category.__name__, str(c.message)) for c in caught]) == _torch_rms_warnings(input_dtype,
                                                                                                weight_dtype)
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out = torch.rms_norm(torch.tensor(x), (3,), torch.tensor(w))
    assert dtype_name(outs[0].dtype) == dtype_name(t_out.dtype)
    np.testing.assert_allclose(outs[0].numpy(), t_out.numpy(), rtol=1e-3 if input_dtype == "float16" else 1e-6)
