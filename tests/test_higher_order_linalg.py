"""Double backward of the matrix decompositions and solvers (cholesky, qr, eigh, eigvalsh, svd, svdvals, pinv,
lu, lu_factor, lu_solve, matrix_exp, solve_triangular, cholesky_solve): gradgradcheck in float64 and second
derivatives against PyTorch's on the same inputs.

Functions of eigenvectors and singular vectors are chosen invariant to their signs (PyTorch's and numbatorch's
LAPACK calls may pick different ones)."""
import pytest

import numbatorch as nt
from numbatorch.autograd import gradgradcheck

from .test_higher_order_indexing import random_arrays, assert_second_derivatives_match_torch

torch = pytest.importorskip("torch")


def _spd(lib, a):
    return a @ a.mT + 3 * lib.eye(a.shape[-1], dtype=a.dtype)


def _well_conditioned(lib, a):
    return a + 4 * lib.eye(a.shape[-1], dtype=a.dtype)


def _wide_qr_loss(lib, a):
    """Q and R of a wide matrix (more columns than rows), with the signs made those of a positive diagonal."""
    q, r = lib.linalg.qr(a)
    s = r.diagonal(0, -2, -1).sign()
    return ((q * s) ** 3).sum() * a + ((r * s.unsqueeze(-1)) ** 3).sum() * a + (r[..., 3:] ** 2).sum() * a


def _lu_loss(lib, a):
    _, L, U = lib.linalg.lu(a)
    return (L ** 2).sum() * a + (U ** 3).sum() * a + lib.linalg.lu_factor(a * a)[0].sum() * a


OPS = [
    ("cholesky", lambda lib, a: lib.linalg.cholesky(_spd(lib, a)) ** 2
     + lib.linalg.cholesky(_spd(lib, a.sin()), upper=True) * a, [(3, 3)]),
    ("qr", lambda lib, a: (lambda q, r: ((q * r.diagonal().sign()) ** 2 * a).sum() + r.abs())(
        *lib.linalg.qr(a)), [(3, 2)]),
    ("qr_wide", lambda lib, a: _wide_qr_loss(lib, a), [(3, 5)]),
    ("qr_wide_batched_r_only", lambda lib, a: (lib.linalg.qr(a).R[..., 1:] ** 2).sum() * a, [(2, 2, 3)]),
    ("qr_complete_cholesky_ex", lambda lib, a: (lambda q, r: ((q * r.diagonal().sign()) ** 2 * a).sum() + r.abs())(
        *lib.linalg.qr(a, mode="complete")) + lib.linalg.cholesky_ex(_spd(lib, a), upper=True).L ** 2, [(3, 3)]),
    ("svd_full_square", lambda lib, a: (lambda u, s, vh: (u * s) @ vh * a + s.sum() * u[:, :1] ** 2 * vh[:1] ** 2)(
        *lib.linalg.svd(a)), [(3, 3)]),
    ("eigh", lambda lib, a: (lambda w, v: w * (v ** 2).sum(0) + (v @ lib.diag(w.exp()) @ v.mT))(
        *lib.linalg.eigh(a + a.mT)) + lib.linalg.eigvalsh(a @ a.mT, UPLO="U").sin().sum(), [(3, 3)]),
    ("svd", lambda lib, a: (lambda u, s, vh: (u * s) @ vh * a + (u ** 2) * s.sum() + (vh ** 2).sum(0) * a[:1])(
        *lib.linalg.svd(a, full_matrices=False)) + lib.linalg.svdvals(a * a).sum(), [(4, 3)]),
    ("pinv", lambda lib, a, b: lib.linalg.pinv(a) ** 2 * b.sum()
     + lib.linalg.pinv(b.mT @ b, hermitian=True)[:2, :] ** 2, [(3, 2), (4, 3)]),
    ("lu", lambda lib, a: (lambda p, l, u: l ** 2 * u.sum() + u * u)(*lib.linalg.lu(a))
     + lib.linalg.lu_factor(a * a)[0] ** 2, [(3, 3)]),
    ("lu_wide", lambda lib, a: _lu_loss(lib, a), [(3, 5)]),
    ("lu_tall_batched", lambda lib, a: _lu_loss(lib, a), [(2, 4, 3)]),
    ("lu_solve", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(_well_conditioned(lib, a)), b) ** 2
     + lib.linalg.lu_solve(*lib.linalg.lu_factor(_well_conditioned(lib, a * a)), b.mT, left=False,
                           adjoint=True).mT * b, [(3, 3), (3, 2)]),
    ("det_singular", lambda lib, a: lib.linalg.det(a * lib.tensor([1.0, 0.0, 1.0], dtype=a.dtype)) * a,
     [(3, 3)]),
    ("matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a * 0.5) ** 2 * a, [(3, 3)]),
    ("solve_triangular", lambda lib, a, b: lib.linalg.solve_triangular(_well_conditioned(lib, a), b, upper=True) ** 2
     + lib.linalg.solve_triangular(_well_conditioned(lib, a), b.mT, upper=False, left=False,
                                   unitriangular=True).mT * b, [(3, 3), (3, 2)]),
    ("cholesky_solve", lambda lib, a, b: lib.cholesky_solve(b, lib.linalg.cholesky(_spd(lib, a))) ** 2
     + lib.cholesky_solve(b * b, _well_conditioned(lib, a).triu(), upper=True) * b, [(3, 3), (3, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_gradgradcheck(name, fn, shapes):
    xs = [nt.tensor(a, requires_grad=True) for a in random_arrays(shapes)]
    assert gradgradcheck(lambda *t: fn(nt, *t), xs)


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_second_derivatives_match_torch(name, fn, shapes):
    assert_second_derivatives_match_torch(fn, shapes, rtol=1e-8)
