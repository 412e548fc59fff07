"""lobpcg against PyTorch: eigenpairs (eigenvectors up to sign), batches, the generalized problem, errors, and
gradients (first and second order) against PyTorch's lobpcg and the exact eigh-based derivative."""
import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
_M = 30
_Q = np.linalg.qr(_RNG.standard_normal((_M, _M)))[0]
_A = (_Q * (np.linspace(1, 20, _M) + _RNG.random(_M))) @ _Q.T
_X0 = _RNG.standard_normal((_M, 3))
_B = np.eye(_M) + 0.1 * (lambda M: M @ M.T)(_RNG.standard_normal((_M, _M))) / _M
_SEPARATED = (_Q * np.linspace(1, 20, _M)) @ _Q.T             # top eigenvalue well apart, for float32
_WEIGHTS = np.outer(np.arange(_M), np.ones(_M))


def _as(lib, value):
    return lib.tensor(value) if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("kwargs", [{}, {"X": _X0}, {"k": 2, "X": _X0}, {"k": 2, "n": 4}, {"k": 2, "B": _B},
                                    {"k": 2, "niter": 500, "tol": 1e-10}])
def test_eigenpairs_match_torch(largest, kwargs):
    results = []
    for lib in (numbatorch, torch):
        E, X = lib.lobpcg(lib.tensor(_A), largest=largest, **{k: _as(lib, v) for k, v in kwargs.items()})
        results.append((E.numpy(), X.numpy(), str(E.dtype).split(".")[-1]))
    (E, X, dtype), (E_ref, X_ref, dtype_ref) = results
    assert dtype == dtype_ref and X.shape == X_ref.shape
    np.testing.assert_allclose(E, E_ref, rtol=1e-9)
    overlap = X.T @ (X_ref if "B" not in kwargs else _B @ X_ref)
    np.testing.assert_allclose(np.abs(overlap), np.eye(X.shape[1]), atol=1e-6)


def test_batched_and_float32_match_torch():
    batch = np.stack([_A, _A + np.eye(_M)])
    results = []
    for lib in (numbatorch, torch):
        E, X = lib.lobpcg(lib.tensor(batch), k=2, X=lib.tensor(np.stack([_X0[:, :2]] * 2)))
        E32, _ = lib.lobpcg(lib.tensor(_SEPARATED, dtype=lib.float32), k=1)
        results.append((E.numpy(), X.shape, E32.numpy(), str(E32.dtype)))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-9)
    assert tuple(results[0][1]) == tuple(results[1][1]) and results[0][3][-7:] == results[1][3][-7:]
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-5)


@pytest.mark.parametrize("call,error", [
    (lambda lib: lib.lobpcg(lib.tensor(_A[:8, :8]), k=3), ValueError),
    (lambda lib: lib.lobpcg(lib.tensor(_A[:, :20])), AssertionError),
    (lambda lib: lib.lobpcg(lib.tensor(_A), B=lib.tensor(_B[:20, :20])), AssertionError),
    (lambda lib: lib.lobpcg(lib.tensor(_A), X=lib.tensor(_X0[:20])), AssertionError),
])
def test_errors_match_torch(call, error):
    messages = []
    for lib in (numbatorch, torch):
        with pytest.raises(error) as info:
            call(lib)
        messages.append(str(info.value).replace("numbatorch.Size", "torch.Size"))
    assert messages[0] == messages[1]


def _loss(lib, E, X):
    return (E * lib.tensor([1.0, 2.0])).sum() + ((X @ X.mT) * lib.tensor(_WEIGHTS)).sum()


def _exact_gradient(largest):
    A = torch.tensor(_A, requires_grad=True)
    L, V = torch.linalg.eigh((A + A.mT) / 2)
    E, X = (L.flip(0)[:2], V.flip(1)[:, :2]) if largest else (L[:2], V[:, :2])
    return torch.autograd.grad(_loss(torch, E, X), A)[0].numpy()


@pytest.mark.parametrize("largest", [True, False])
def test_gradient_matches_torch_and_exact_derivative(largest):
    grads = []
    for lib in (numbatorch, torch):
        A = lib.tensor(_A, requires_grad=True)
        E, X = lib.lobpcg(A, k=2, X=lib.tensor(_X0[:, :2]), largest=largest)
        _loss(lib, E, X).backward()
        grads.append(A.grad.numpy())
    exact = _exact_gradient(largest)
    scale = np.abs(exact).max()
    # Both stop at tol = sqrt(eps): the eigenvectors, so the gradients, agree to about that.
    np.testing.assert_allclose(grads[0], exact, atol=1e-6 * scale)
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-5 * scale)


def test_second_derivative_matches_torch():
    results = []
    for lib in (numbatorch, torch):
        A = lib.tensor(_A, requires_grad=True)
        E, X = lib.lobpcg(A, k=2, X=lib.tensor(_X0[:, :2]), tol=1e-12)
        grad = lib.autograd.grad(_loss(lib, E, X), A, create_graph=True)[0]
        results.append(lib.autograd.grad((grad * lib.tensor(_WEIGHTS.T)).sum(), A)[0].numpy())
    np.testing.assert_allclose(results[0], results[1], atol=1e-6 * np.abs(results[1]).max())


def test_backward_with_b_raises_like_torch():
    messages = []
    for lib in (numbatorch, torch):
        A = lib.tensor(_A, requires_grad=True)
        E, _ = lib.lobpcg(A, k=2, B=lib.tensor(_B))
        with pytest.raises(ValueError) as info:
            E.sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]
