"""``autograd.functional`` (jacobian, hessian, vjp/jvp, hvp/vhp) against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _functional_pair(name):
    return getattr(nt.autograd.functional, name), getattr(torch.autograd.functional, name)


def _assert_nested_close(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_nested_close(x, y)
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def _vector_fn(lib, x, w):
    return lib.tanh(w @ lib.sin(x))


def _scalar_fn(lib, x):
    return (lib.exp(x) * lib.sin(x)).sum() + (x * x).sum() ** 2


@pytest.mark.parametrize("tupled", [False, True])
def test_jacobian_matches_torch(tupled):
    x, w = _arrays([(3,), (2, 3)])
    results = []
    for lib in (nt, torch):
        fn = _functional_pair("jacobian")[lib is torch]
        if tupled:
            results.append(fn(lambda a, b: (_vector_fn(lib, a, b), a * a), (lib.tensor(x), lib.tensor(w))))
        else:
            results.append(fn(lambda a: _vector_fn(lib, a, lib.tensor(w)), lib.tensor(x)))
    _assert_nested_close(*results)


@pytest.mark.parametrize("tupled", [False, True])
def test_hessian_matches_torch(tupled):
    x, w = _arrays([(3,), (2, 3)])
    results = []
    for lib in (nt, torch):
        fn = _functional_pair("hessian")[lib is torch]
        if tupled:
            results.append(fn(lambda a, b: _vector_fn(lib, a, b).sum(), (lib.tensor(x), lib.tensor(w))))
        else:
            results.append(fn(lambda a: _scalar_fn(lib, a), lib.tensor(x)))
    _assert_nested_close(*results)


@pytest.mark.parametrize("name", ["vjp", "jvp"])
def test_vector_products_match_torch(name):
    x, w, u, v = _arrays([(3,), (2, 3), (2,), (3,)])
    results = []
    for lib in (nt, torch):
        fn = _functional_pair(name)[lib is torch]
        vec = (lib.tensor(u),) if name == "vjp" else (lib.tensor(v), lib.tensor(w))
        results.append(fn(lambda a, b: _vector_fn(lib, a, b), (lib.tensor(x), lib.tensor(w)),
                          vec[0] if name == "vjp" else vec))
    _assert_nested_close(*results)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hessian_vector_products_match_torch(name):
    x, v = _arrays([(3,), (3,)])
    results = []
    for lib in (nt, torch):
        fn = _functional_pair(name)[lib is torch]
        results.append(fn(lambda a: _scalar_fn(lib, a), lib.tensor(x), lib.tensor(v)))
    _assert_nested_close(*results)


def test_functional_create_graph_and_errors():
    x = nt.tensor([0.3, 0.7], requires_grad=True)
    _, hv = nt.autograd.functional.hvp(lambda a: (a ** 4).sum(), x, nt.tensor([1.0, 0.0]), create_graph=True)
    assert hv.requires_grad
    third, = nt.autograd.grad(hv.sum(), x)  # d/dx of 12 x0^2 e0
    np.testing.assert_allclose(third.numpy(), [24 * 0.3, 0.0])
    with pytest.raises(RuntimeError, match="v has invalid size"):
        nt.autograd.functional.vjp(lambda a: a * 2, x, nt.ones(3))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        nt.autograd.functional.jacobian(lambda a: a, [x])
    with pytest.raises(RuntimeError, match="independent of input 1"):
        nt.autograd.functional.vjp(lambda a, b: a * 2, (x, nt.ones(2)), nt.ones(2), strict=True)
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        nt.autograd.functional.hessian(lambda a: (a.sum(), a.sum()), x)
