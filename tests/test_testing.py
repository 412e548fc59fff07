"""numbatorch.testing.assert_close: the same verdicts and failure messages as torch.testing.assert_close."""
import math

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

CASES = [
    "t([1.0, 2, 3]), t([1.0, 2.1, 3])", "t([1.0, 2]), t([1.0, 2, 3])", "t([1.0, 2]), t([1.0, 2], dtype=m.float64)",
    "t([1, 2]), t([1, 3])", "1.0, 1.1", "[t(1.0)], [t(2.0)]", "t([nan]), t([nan])", "t([1.0, 2]), t([1.0, 2])",
    "t([1.0, 1 + 1e-6]), t([1.0, 1.0])", "t([1.0, inf]), t([1.0, inf])", "1, 1", "t([nan]), t([nan]), equal_nan=True",
    "t([1.0]), t([1.1]), rtol=0.2, atol=0.0", "{'a': t([1.0])}, {'a': t([1.5])}",
    "t([1.0], dtype=m.float64), t([1.0 + 1e-8], dtype=m.float64)", "t(1), t(3)", "t([1.0]), t([2.0])",
]


def _run(lib, case):
    env = {"m": lib, "t": lib.tensor, "nan": math.nan, "inf": math.inf}
    try:
        eval(f"m.testing.assert_close({case})", env)
    except AssertionError as err:
        return str(err).replace("numbatorch.", "torch.")
    return None


@pytest.mark.parametrize("case", CASES)
def test_same_verdict_and_message(case):
    assert _run(nt, case) == _run(torch, case)


def test_custom_message_and_tolerance_pairing():
    with pytest.raises(AssertionError, match="custom"):
        nt.testing.assert_close(nt.tensor([1.0]), nt.tensor([2.0]), msg="custom")
    with pytest.raises(ValueError, match="must be either specified or omitted"):
        nt.testing.assert_close(nt.tensor([1.0]), nt.tensor([1.0]), rtol=0.1)


def test_make_tensor():
    x = nt.testing.make_tensor(3, 4, dtype=nt.float32, low=-1, high=1)
    assert tuple(x.shape) == (3, 4) and x.dtype is nt.float32 and np.all(np.abs(x.numpy()) <= 1)
    i = nt.testing.make_tensor((50,), dtype=nt.uint8, exclude_zero=True)
    assert i.dtype is nt.uint8 and i.numpy().min() >= 1 and i.numpy().max() < 10
    assert nt.testing.make_tensor(2, dtype=nt.float64, requires_grad=True).requires_grad
