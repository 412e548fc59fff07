"""linalg inverses, determinants and decompositions: values and gradients against PyTorch, float64 gradcheck.

Outputs defined only up to sign (eigenvectors, singular vectors) are compared through sign-invariant functions
of them (elementwise squares), as PyTorch's own documentation advises for their gradients.
"""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _pair(data):
    return nt.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def _close(ours, theirs, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy() if hasattr(ours, "detach") else ours),
                               theirs.detach().numpy(), rtol=rtol, atol=atol)


def _check(fn_ours, fn_theirs, data, rtol=1e-7):
    """Same outputs and the same gradient of a random weighted sum of them."""
    a, b = _pair(data)
    out_a, out_b = fn_ours(a), fn_theirs(b)
    out_a = out_a if isinstance(out_a, tuple) else (out_a,)
    out_b = out_b if isinstance(out_b, tuple) else (out_b,)
    loss_a, loss_b = 0, 0
    for oa, ob in zip(out_a, out_b):
        _close(oa, ob, rtol)
        w = RNG.standard_normal(tuple(ob.shape))
        loss_a = loss_a + (oa * nt.tensor(w)).sum()
        loss_b = loss_b + (ob * torch.tensor(w)).sum()
    loss_a.backward()
    loss_b.backward()
    _close(a.grad, b.grad, rtol=1e-6, atol=1e-8)


SQUARE = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
TALL = RNG.standard_normal((2, 4, 3))
WIDE = RNG.standard_normal((3, 5))


def _spd(m):
    return m @ m.mT + 3 * m.new_ones(()) * _eye_like(m)


def _eye_like(m):
    module = nt if isinstance(m, nt.Tensor) else torch
    return module.eye(m.shape[-1], dtype=m.dtype)


def _sym(m):
    return m + m.mT


CASES = [
    ("inv", lambda m: m.linalg.inv, SQUARE),
    ("inverse", lambda m: m.inverse, SQUARE),
    ("det", lambda m: m.linalg.det, SQUARE),
    ("torch_det", lambda m: m.det, SQUARE[0]),
    ("slogdet", lambda m: m.linalg.slogdet, SQUARE),
    ("torch_slogdet", lambda m: m.slogdet, SQUARE),
    ("logdet", lambda m: lambda x: m.logdet(_spd(x)), SQUARE),
    ("cholesky", lambda m: lambda x: m.linalg.cholesky(_spd(x)), SQUARE),
    ("cholesky_upper", lambda m: lambda x: m.linalg.cholesky(_spd(x), upper=True), SQUARE),
    ("torch_cholesky", lambda m: lambda x: m.cholesky(_spd(x)), SQUARE[0]),
    ("qr_square", lambda m: m.linalg.qr, SQUARE),
    ("qr_tall", lambda m: m.linalg.qr, TALL),
    ("torch_qr", lambda m: m.qr, TALL[0]),
    ("eigvalsh", lambda m: lambda x: m.linalg.eigvalsh(_sym(x)), SQUARE),
    ("eigvalsh_upper", lambda m: lambda x: m.linalg.eigvalsh(_sym(x), UPLO="U"), SQUARE),
    ("eigh_squared_vectors", lambda m: lambda x: (lambda r: (r[0], r[1] * r[1]))(m.linalg.eigh(_sym(x))), SQUARE),
    ("svdvals", lambda m: m.linalg.svdvals, TALL),
    ("svdvals_wide", lambda m: m.linalg.svdvals, WIDE),
    ("svd_squared_vectors", lambda m: lambda x: (lambda r: (r[0] * r[0], r[1], r[2] * r[2]))(
        m.linalg.svd(x, full_matrices=False)), TALL),
    ("svd_wide", lambda m: lambda x: (lambda r: (r[0] * r[0], r[1], r[2] * r[2]))(
        m.linalg.svd(x, full_matrices=False)), WIDE),
    ("pinv_tall", lambda m: m.linalg.pinv, TALL),
    ("pinv_wide", lambda m: m.linalg.pinv, WIDE),
    ("pinv_hermitian", lambda m: lambda x: m.linalg.pinv(_spd(x), hermitian=True), SQUARE),
    ("pinverse", lambda m: m.pinverse, WIDE),
]


@pytest.mark.parametrize("name,fn,data", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(name, fn, data):
    _check(fn(nt), fn(torch), data)


@pytest.mark.parametrize("name,fn,data", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, data):
    x = nt.tensor(data, requires_grad=True)
    assert gradcheck(fn(nt), (x,), eps=1e-6, atol=1e-5)


def test_det_gradient_of_singular_matrix_is_the_cofactor_matrix():
    # PyTorch 2.13 returns zeros for this matrix (its LU pivot is exactly zero); the derivative of det is the
    # cofactor matrix whether or not A is invertible, so it is checked against the cofactors and gradcheck.
    data = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    a = nt.tensor(data, requires_grad=True)
    nt.linalg.det(a).backward()
    cofactors = [[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(data, i, 0), j, 1)) for j in range(3)]
                 for i in range(3)]
    np.testing.assert_allclose(a.grad.numpy(), cofactors, atol=1e-12)
    assert gradcheck(nt.linalg.det, (nt.tensor(data, requires_grad=True),))


def test_full_matrices_svd_values_and_float32():
    data = RNG.standard_normal((4, 3)).astype(np.float32)
    U, S, Vh = nt.linalg.svd(nt.tensor(data))
    assert U.shape == (4, 4) and Vh.shape == (3, 3) and U.dtype is nt.float32
    np.testing.assert_allclose((U[:, :3] * S) @ Vh, data, atol=1e-5)
    _close(S, torch.linalg.svd(torch.tensor(data)).S, rtol=1e-5)
    u, s, v = nt.svd(nt.tensor(data))
    assert u.shape == (4, 3) and v.shape == (3, 3)
    np.testing.assert_allclose((u * s) @ v.mT, data, atol=1e-5)


def test_qr_modes_and_r_mode_has_no_gradient():
    data = TALL[0]
    Q, R = nt.linalg.qr(nt.tensor(data), mode="complete")
    assert Q.shape == (4, 4) and R.shape == (4, 3)
    x = nt.tensor(data, requires_grad=True)
    Q, R = nt.linalg.qr(x, mode="r")
    assert Q.numel() == 0
    with pytest.raises(RuntimeError, match="mode='r'"):
        R.sum().backward()
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        nt.linalg.qr(x, mode="full")


ERRORS = [
    "m.linalg.inv(m.tensor([[1., 2.], [2., 4.]]))", "m.linalg.inv(m.zeros(2, 3, 3))",
    "m.linalg.cholesky(m.tensor([[1., 2.], [2., 1.]]))", "m.linalg.inv(m.ones(3))",
    "m.linalg.inv(m.ones(3, 3, dtype=m.int64))", "m.linalg.det(m.ones(2, 3))",
    "m.linalg.cholesky(m.stack([m.eye(2), -m.eye(2)]))",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    with pytest.raises(RuntimeError) as theirs:
        eval(expr, {"m": torch})
    with pytest.raises(RuntimeError) as ours:
        eval(expr, {"m": nt})
    assert str(ours.value) == str(theirs.value)
    assert isinstance(ours.value, nt.linalg.LinAlgError) == isinstance(theirs.value, torch.linalg.LinAlgError)


def test_ex_variants_report_info():
    singular = np.stack([np.eye(2), np.array([[1.0, 2.0], [2.0, 4.0]])])
    ours = nt.linalg.inv_ex(nt.tensor(singular))
    theirs = torch.linalg.inv_ex(torch.tensor(singular))
    assert ours.info.tolist() == theirs.info.tolist()
    _close(ours.inverse[0], theirs.inverse[0])
    not_pd = np.stack([np.eye(2), -np.eye(2)])
    ours = nt.linalg.cholesky_ex(nt.tensor(not_pd))
    theirs = torch.linalg.cholesky_ex(torch.tensor(not_pd))
    assert ours.info.tolist() == theirs.info.tolist()
    with pytest.raises(nt.linalg.LinAlgError):
        nt.linalg.cholesky_ex(nt.tensor(not_pd), check_errors=True)
