"""``numbatorch.func`` (torch.func) against PyTorch: grad, vjp/jvp, Jacobians and Hessians, vmap, functional_call."""
import re

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
_A, _B = _RNG.standard_normal(3), _RNG.standard_normal(3)
_M = _RNG.standard_normal((4, 3))


def _both(program, *arrays):
    """``program(lib, *tensors)`` in numbatorch and PyTorch, as nested lists of numpy arrays."""
    def to_numpy(value):
        if isinstance(value, (tuple, list)):
            return [to_numpy(v) for v in value]
        return value.detach().numpy()
    return [to_numpy(program(lib, *[lib.tensor(a) for a in arrays])) for lib in (nt, torch)]


def _assert_same(ours, theirs):
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _assert_same(o, t)
    else:
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def _f(lib, x, y):
    return (lib.sin(x) * y).sum() + (x ** 3).sum()


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_grad_and_grad_and_value_match_pytorch(argnums):
    _assert_same(*_both(lambda lib, x, y: lib.func.grad(lambda a, b: _f(lib, a, b), argnums)(x, y), _A, _B))
    _assert_same(*_both(lambda lib, x, y: lib.func.grad_and_value(lambda a, b: _f(lib, a, b), argnums)(x, y),
                        _A, _B))
    _assert_same(*_both(lambda lib, x, y: lib.func.grad(lambda a, b: (_f(lib, a, b), a * 2), argnums,
                                                        has_aux=True)(x, y), _A, _B))


def test_nested_grad_and_hessian_match_pytorch():
    _assert_same(*_both(lambda lib, x: lib.func.grad(lib.func.grad(lambda a: (a ** 3).sin()))(x.sum()), _A))
    _assert_same(*_both(lambda lib, x, y: lib.func.hessian(lambda a, b: _f(lib, a, b))(x, y), _A, _B))
    _assert_same(*_both(lambda lib, x, y: lib.func.hessian(lambda a, b: _f(lib, a, b), (0, 1))(x, y), _A, _B))


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobians_match_pytorch(transform):
    def program(lib, x, y):
        jac = getattr(lib.func, transform)
        return [jac(lambda a: lib.tanh(a) * a.sum())(x), jac(lambda a, b: lib.outer(a, b), (0, 1))(x, y),
                jac(lambda a: (a.exp(), a.sum()), has_aux=True)(x)]
    _assert_same(*_both(program, _A, _B))


def test_vjp_and_jvp_match_pytorch():
    def program(lib, x, y):
        out, vjp_fn = lib.func.vjp(lambda a, b: (a * b).cumsum(0), x, y)
        primal, tangent = lib.func.jvp(lambda a: a.sin() * a, (x,), (y,))
        return [out, list(vjp_fn(y)), primal, tangent]
    _assert_same(*_both(program, _A, _B))


def test_vmap_matches_pytorch():
    def program(lib, m, v):
        f = lib.func
        return [f.vmap(lib.dot)(m, m), f.vmap(lib.mv, in_dims=(None, 0))(m, m),
                f.vmap(lambda a, b: (a * b, a.sum()), in_dims=(0, None), out_dims=(1, 0))(m, v),
                f.vmap(f.grad(lambda a: (a.sin() ** 2).sum()))(m),
                f.vmap(f.vmap(lambda a: a * 2))(m)]
    _assert_same(*_both(program, _M, _A))
    with pytest.raises(ValueError, match="Expected all tensors to have the same size in the mapped dimension"):
        nt.func.vmap(nt.add)(nt.zeros(2, 3), nt.zeros(3, 3))


def test_grad_of_a_non_scalar_raises_as_pytorch():
    with pytest.raises(RuntimeError) as expected:
        torch.func.grad(lambda a: a * 2)(torch.tensor(_A))
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        nt.func.grad(lambda a: a * 2)(nt.tensor(_A))


def _linear(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2).double()
    weights = {"weight": lib.tensor(_M[:2], requires_grad=True), "bias": lib.tensor(_A[:2], requires_grad=True)}
    layer.weight.data.copy_(lib.tensor(_M[2:]))
    return layer, weights


def test_functional_call_matches_pytorch_and_leaves_the_module_unchanged():
    results = []
    for lib in (nt, torch):
        layer, weights = _linear(lib)
        before = layer.weight.detach().clone()
        out = lib.func.functional_call(layer, weights, (lib.tensor(_M),))
        out.sum().backward()
        assert lib.equal(layer.weight, before) and layer.weight.grad is None
        results.append([out.detach().numpy(), weights["weight"].grad.numpy(), weights["bias"].grad.numpy()])
        with pytest.raises(RuntimeError, match="Missing key"):
            lib.func.functional_call(layer, {"weight": weights["weight"]}, (lib.tensor(_M),), strict=True)
        with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
            lib.func.functional_call(layer, ({"bias": weights["bias"]}, {"bias": weights["bias"]}), lib.tensor(_M))
    _assert_same(*results)


def test_model_ensemble_with_stack_module_state_and_vmap_matches_pytorch():
    def program(lib, x):
        lib.manual_seed(1)
        models = [lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1)).double()
                  for _ in range(3)]
        for i, m in enumerate(models):
            for p in m.parameters():
                p.data.copy_(lib.tensor(np.random.default_rng(i).standard_normal(tuple(p.shape))))
        params, buffers = lib.func.stack_module_state(models)
        base = models[0]

        def run(p, b, data):
            return lib.func.functional_call(base, (p, b), (data,))
        return lib.func.vmap(run, in_dims=(0, 0, None))(params, buffers, x)
    _assert_same(*_both(program, _M))
