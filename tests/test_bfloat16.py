"""bfloat16 tensors (stored with ml_dtypes) against PyTorch: cast rounding, printing, promotion, arithmetic,
float32 accumulation of reductions, and a few training steps of a bfloat16 model."""
import subprocess
import sys

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import _tensor_str

torch = pytest.importorskip("torch")
pytest.importorskip("ml_dtypes")

RNG = np.random.default_rng(0)


def _bits(t):
    """The float32 values of a bfloat16 tensor (exact), as comparable arrays."""
    return t.float().detach().numpy()


@pytest.mark.parametrize("source", ["float32", "float64"])
def test_casts_round_like_torch(source):
    special = [1.00390625, 1.01171875, -1.00390625, 3.3895e38, 3.39e38, 1e-40, -1e-45, 0.0, -0.0, np.inf,
               -np.inf, 65504.5, 1 + 2 ** -8 + 2 ** -30]
    values = np.concatenate([special, RNG.standard_normal(5000) * 10.0 ** RNG.integers(-30, 30, 5000)])
    values = values.astype(source)
    ours = nt.tensor(values).to(nt.bfloat16)
    theirs = torch.tensor(values).to(torch.bfloat16)
    np.testing.assert_array_equal(_bits(ours), _bits(theirs))
    assert np.isnan(_bits(nt.tensor([np.nan], dtype=getattr(nt, source)).bfloat16())).all()


@pytest.mark.parametrize("data", [[1.0123, 3.14159, -2.71828], [1e-3, 65504.5, 3.0], [1.0, 2.0], 0.1,
                                  list(np.linspace(-1, 1, 2000))])
def test_repr_like_torch(monkeypatch, data):
    monkeypatch.setattr(_tensor_str, "DTYPE_MODULE", "torch")
    assert repr(nt.tensor(data, dtype=nt.bfloat16)) == repr(torch.tensor(data, dtype=torch.bfloat16))


@pytest.mark.parametrize("other", [1.5, 2, True, 1j, "int64", "float16", "float32", "zero_dim_float64"])
def test_promotion_like_torch(other):
    def operand(lib):
        if other == "zero_dim_float64":
            return lib.tensor(1.5, dtype=lib.float64)
        if isinstance(other, str):
            return lib.ones(3, dtype=getattr(lib, other))
        return other

    x = RNG.standard_normal(3)
    ours = nt.tensor(x, dtype=nt.bfloat16) + operand(nt)
    theirs = torch.tensor(x, dtype=torch.bfloat16) + operand(torch)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.to(nt.complex64 if ours.is_complex() else nt.float32).numpy(),
                                  theirs.to(torch.complex64 if theirs.is_complex() else torch.float32).numpy())


@pytest.mark.parametrize("fn", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
                                lambda a, b: a * 3, lambda a, b: -a, lambda a, b: a.relu(), lambda a, b: a.abs()])
def test_elementwise_matches_torch_exactly(fn):
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    ours = fn(nt.tensor(a, dtype=nt.bfloat16), nt.tensor(b, dtype=nt.bfloat16))
    theirs = fn(torch.tensor(a, dtype=torch.bfloat16), torch.tensor(b, dtype=torch.bfloat16))
    assert ours.dtype is nt.bfloat16
    np.testing.assert_array_equal(_bits(ours), _bits(theirs))


@pytest.mark.parametrize("fn", [lambda a: a.exp(), lambda a: a.tanh(), lambda a: a.softmax(-1), lambda a: a @ a.T,
                                lambda a: a.sum(), lambda a: a.mean(1), lambda a: a.sum(0)])
def test_math_and_reductions_within_one_rounding_of_torch(fn):
    a = RNG.standard_normal((30, 40)) + 1.0  # sums of ~1000 positive terms: bfloat16 accumulation would stall
    ours = fn(nt.tensor(a, dtype=nt.bfloat16))
    theirs = fn(torch.tensor(a, dtype=torch.bfloat16))
    assert ours.dtype is nt.bfloat16
    np.testing.assert_allclose(_bits(ours), _bits(theirs), rtol=2 ** -7, atol=1e-6)


def test_training_steps_of_a_bfloat16_model_follow_torch():
    w1, b1, w2, b2 = RNG.normal(size=(8, 4)), RNG.normal(size=8), RNG.normal(size=(3, 8)), RNG.normal(size=3)
    x, y = RNG.normal(size=(16, 4)), RNG.integers(0, 3, 16)

    def train(lib):
        model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
        with lib.no_grad():
            for p, v in zip(model.parameters(), (w1, b1, w2, b2)):
                p.copy_(lib.tensor(v))
        model = model.bfloat16()
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for _ in range(3):
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x, dtype=lib.bfloat16)), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert loss.dtype == lib.bfloat16 and model[0].weight.grad.dtype == lib.bfloat16
        return losses, model[0].weight.float().detach().numpy()

    (ours, w_ours), (theirs, w_theirs) = train(nt), train(torch)
    np.testing.assert_allclose(ours, theirs, rtol=2e-2)
    np.testing.assert_allclose(w_ours, w_theirs, rtol=2e-2, atol=2e-2)


def test_import_numbatorch_leaves_ml_dtypes_unimported():
    code = ("import sys, numbatorch as nt; d = nt.bfloat16; assert 'ml_dtypes' not in sys.modules; "
            "nt.zeros(1, dtype=d); assert 'ml_dtypes' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name, data", [("float8_e4m3fn", [1.3, 2.7, -0.4, 300.0]), ("float8_e5m2", [1.3, 2.7, -0.4]),
                                        ("uint16", [1, 2, 60000]), ("uint32", [1, 2 ** 31]), ("uint64", [1, 2 ** 40])])
def test_other_storage_types_cast_and_print_like_torch(monkeypatch, name, data):
    monkeypatch.setattr(_tensor_str, "DTYPE_MODULE", "torch")
    ours, theirs = nt.tensor(data, dtype=getattr(nt, name)), torch.tensor(data, dtype=getattr(torch, name))
    assert repr(ours) == repr(theirs)
    assert ours.type() == theirs.type() and ours.dtype.itemsize == theirs.dtype.itemsize


def test_unsupported_promotions_and_complex32_storage_raise_like_torch():
    for a, b in ((nt.float8_e4m3fn, nt.float32), (nt.uint16, nt.int32)):
        with pytest.raises(RuntimeError) as ours:
            nt.promote_types(a, b)
        with pytest.raises(RuntimeError) as theirs:
            torch.promote_types(getattr(torch, a.name), getattr(torch, b.name))
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match="complex32"):
        nt.zeros(2, dtype=nt.complex32)
