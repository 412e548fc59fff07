"""nn.init: fan/gain formulas and errors against PyTorch, distributions by their statistics."""
import math

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn import init


def _torch():
    return pytest.importorskip("torch")


SHAPES = [(5, 3), (4, 3, 2), (6, 2, 3, 3), (2, 4, 1, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fan_in_fan_out_matches_torch(shape):
    torch = _torch()
    assert init._calculate_fan_in_and_fan_out(nt.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_gain_matches_torch():
    torch = _torch()
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]:
        assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


@pytest.mark.parametrize("call", [
    lambda m, t: m._calculate_fan_in_and_fan_out(t.empty(3)),
    lambda m, t: m.calculate_gain("nope"),
    lambda m, t: m.calculate_gain("leaky_relu", True),
    lambda m, t: m.kaiming_uniform_(t.empty(3, 2), mode="fan_avg"),
    lambda m, t: m.eye_(t.empty(3)),
    lambda m, t: m.dirac_(t.empty(3, 3)),
    lambda m, t: m.dirac_(t.empty(3, 3, 3), groups=2),
    lambda m, t: m.orthogonal_(t.empty(3)),
    lambda m, t: m.sparse_(t.empty(3, 3, 3), 0.5),
])
def test_errors_match_torch(call):
    torch = _torch()
    with pytest.raises(ValueError) as theirs:
        call(torch.nn.init, torch)
    with pytest.raises(ValueError) as ours:
        call(init, nt)
    assert str(ours.value) == str(theirs.value)


def _draw(fn, shape=(400, 300), **kw):
    t = nt.empty(*shape)
    out = fn(t, **kw)
    assert out is t
    return t._data.astype(np.float64)


def test_uniform_normal_constant():
    nt.manual_seed(0)
    x = _draw(init.uniform_, a=-2.0, b=3.0)
    assert x.min() >= -2 and x.max() <= 3 and abs(x.mean() - 0.5) < 0.02 and abs(x.var() - 25 / 12) < 0.03
    x = _draw(init.normal_, mean=1.0, std=2.0)
    assert abs(x.mean() - 1) < 0.02 and abs(x.std() - 2) < 0.02
    assert np.all(_draw(init.constant_, shape=(2, 3), val=0.25) == 0.25)
    assert np.all(_draw(init.ones_, shape=(2, 3)) == 1) and np.all(_draw(init.zeros_, shape=(2, 3)) == 0)


@pytest.mark.parametrize("kind", ["uniform", "normal"])
@pytest.mark.parametrize("shape", [(300, 200), (64, 16, 3, 3)])
def test_xavier_and_kaiming_std_match_formula(kind, shape):
    torch = _torch()
    nt.manual_seed(1)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    xavier_std = math.sqrt(2.0 / (fan_in + fan_out))
    kaiming_std = torch.nn.init.calculate_gain("leaky_relu", 0.1) / math.sqrt(fan_out)
    x = _draw(getattr(init, f"xavier_{kind}_"), shape=shape, gain=1.5)
    k = _draw(getattr(init, f"kaiming_{kind}_"), shape=shape, a=0.1, mode="fan_out")
    assert abs(x.std() / (1.5 * xavier_std) - 1) < 0.03 and abs(x.mean()) < 0.03 * x.std()
    assert abs(k.std() / kaiming_std - 1) < 0.03
    if kind == "uniform":
        assert np.abs(x).max() <= math.sqrt(3) * 1.5 * xavier_std
        assert np.abs(k).max() <= math.sqrt(3) * kaiming_std


def test_trunc_normal_bounds_and_moments():
    nt.manual_seed(2)
    x = _draw(init.trunc_normal_, mean=0.5, std=1.0, a=-1.0, b=1.5)
    assert x.min() >= -1.0 and x.max() <= 1.5
    # Moments of N(0.5, 1) truncated to [-1, 1.5]: alpha = -1.5, beta = 1.
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    zed = cdf(1.0) - cdf(-1.5)
    mean = 0.5 + (pdf(-1.5) - pdf(1.0)) / zed
    var = 1 + (-1.5 * pdf(-1.5) - 1.0 * pdf(1.0)) / zed - ((pdf(-1.5) - pdf(1.0)) / zed) ** 2
    assert abs(x.mean() - mean) < 0.01 and abs(x.var() - var) < 0.01
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        far = _draw(init.trunc_normal_, shape=(1000,), mean=0.0, std=1.0, a=3.0, b=4.0)
    assert far.min() >= 3.0 and far.max() <= 4.0


def test_eye_and_dirac_match_torch():
    torch = _torch()
    np.testing.assert_array_equal(_draw(init.eye_, shape=(3, 5)), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 2, 1, 3, 3), 2)]:
        np.testing.assert_array_equal(_draw(init.dirac_, shape=shape, groups=groups),
                                      torch.nn.init.dirac_(torch.empty(*shape), groups=groups).numpy())


@pytest.mark.parametrize("shape", [(6, 4), (3, 8), (4, 2, 3)])
def test_orthogonal(shape):
    nt.manual_seed(3)
    q = _draw(init.orthogonal_, shape=shape, gain=2.0).reshape(shape[0], -1)
    rows, cols = q.shape
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-5)


def test_sparse_zeroes_each_column():
    nt.manual_seed(4)
    x = _draw(init.sparse_, shape=(10, 50), sparsity=0.3, std=0.5)
    assert np.all((x == 0).sum(axis=0) >= 3)
    assert abs(x[x != 0].std() - 0.5) < 0.07


def test_generator_argument_and_seed_reproducibility():
    g = nt.Generator().manual_seed(7)
    a = _draw(init.normal_, shape=(5,), generator=g)
    g.manual_seed(7)
    np.testing.assert_array_equal(a, _draw(init.normal_, shape=(5,), generator=g))
    nt.manual_seed(5)
    b = _draw(init.kaiming_uniform_, shape=(4, 3))
    nt.manual_seed(5)
    np.testing.assert_array_equal(b, _draw(init.kaiming_uniform_, shape=(4, 3)))


def test_float64_and_zero_element():
    t = nt.empty(3, 4, dtype=nt.float64)
    init.xavier_uniform_(t)
    assert t.dtype is nt.float64
    with pytest.warns(UserWarning, match="no-op"):
        init.kaiming_normal_(nt.empty(0, 3))
