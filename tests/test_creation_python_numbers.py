"""Tensors made from Python numbers: converted straight to the requested dtype (as_tensor keeps float64 digits),
and bfloat16 NaNs made from numbers positive, as c10's number-to-BFloat16 conversion makes them."""
import pytest

import numbatorch

NAN = float("nan")


@pytest.mark.parametrize("make", [
    lambda m: m.as_tensor([0.1, 2.0 ** 60 + 3], dtype=m.float64),
    lambda m: m.as_tensor(0.1, dtype=m.float64),
    lambda m: m.asarray([0.1], dtype=m.float64),
    lambda m: m.as_tensor([2 ** 40 + 1, -3], dtype=m.int64),
])
def test_as_tensor_of_python_numbers_matches_torch(make):
    torch = pytest.importorskip("torch")
    ours, theirs = make(numbatorch), make(torch)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32"])
@pytest.mark.parametrize("make", [
    lambda m, d: m.tensor([-NAN, NAN, -1.0], dtype=d),
    lambda m, d: m.full((3,), -NAN, dtype=d),
    lambda m, d: m.full_like(m.zeros(2, dtype=d), -NAN),
    lambda m, d: m.scalar_tensor(-NAN, dtype=d).reshape(1),
    lambda m, d: m.zeros(2, dtype=d).fill_(-NAN),
])
def test_nan_sign_of_tensors_made_from_numbers_matches_torch(make, dtype):
    torch = pytest.importorskip("torch")
    ours = make(numbatorch, getattr(numbatorch, dtype))
    theirs = make(torch, getattr(torch, dtype))
    assert numbatorch.signbit(ours).tolist() == torch.signbit(theirs).tolist()
