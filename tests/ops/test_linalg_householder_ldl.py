"""linalg.householder_product, orgqr and ormqr (values, gradients of every order), geqrf and
linalg.ldl_factor(_ex)/ldl_solve (factors, pivots, info, solutions; no derivative, as in PyTorch) against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck, gradgradcheck

from ..helpers import compare_with_torch

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("a_shape,tau_shape", [((5, 3), (2,)), ((2, 4, 4), (2, 4)), ((3, 1), (0,))])
def test_householder_product_matches_torch(a_shape, tau_shape):
    a, tau = RNG.standard_normal(a_shape), RNG.standard_normal(tau_shape)
    compare_with_torch(lambda lib, x, t: lib.linalg.householder_product(x, t), a, tau, names=False, tol=1e-10)


def test_householder_product_of_geqrf_is_q():
    a = RNG.standard_normal((5, 3))
    q, _ = np.linalg.qr(a)
    reflectors, tau = torch.geqrf(torch.tensor(a))
    got = nt.linalg.householder_product(nt.tensor(reflectors.numpy()), nt.tensor(tau.numpy())).numpy()
    np.testing.assert_allclose(np.abs(got), np.abs(q), rtol=1e-10)


def test_householder_product_gradients():
    xs = [nt.tensor(RNG.standard_normal(s), requires_grad=True) for s in ((4, 3), (2,))]
    assert gradcheck(nt.linalg.householder_product, xs)
    assert gradgradcheck(nt.linalg.householder_product, xs)


@pytest.mark.parametrize("a_shape,tau_shape", [((3,), (1,)), ((2, 3), (1,)), ((3, 2), (3,)), ((3, 2), (1, 1)),
                                               ((2, 3, 2), (3, 1))])
def test_householder_product_errors_match_torch(a_shape, tau_shape):
    for lib in (nt, torch):
        with pytest.raises(RuntimeError) as info:
            lib.linalg.householder_product(lib.zeros(a_shape, dtype=lib.float64), lib.zeros(tau_shape,
                                                                                             dtype=lib.float64))
        if lib is nt:
            message = str(info.value)
    assert message == str(info.value)


def _symmetric(n, batch=(), small_diagonal=False):
    a = RNG.standard_normal(batch + (n, n))
    if small_diagonal:  # forces 2x2 pivots
        a[..., np.arange(n), np.arange(n)] *= 0.01
    return a + np.swapaxes(a, -1, -2)


@pytest.mark.parametrize("a", [_symmetric(1), _symmetric(4), _symmetric(6, small_diagonal=True),
                               _symmetric(5, (2,), small_diagonal=True), np.zeros((3, 3))],
                         ids=["1x1", "4x4", "2x2_pivots", "batched", "zero"])
def test_ldl_factor_ex_matches_torch(a):
    got, want = nt.linalg.ldl_factor_ex(nt.tensor(a)), torch.linalg.ldl_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), rtol=1e-10, atol=1e-12)
    for name in ("pivots", "info"):
        assert str(getattr(got, name).dtype).split(".")[-1] == str(getattr(want, name).dtype).split(".")[-1]
        np.testing.assert_array_equal(getattr(got, name).numpy(), getattr(want, name).numpy())


@pytest.mark.parametrize("a,b_shape", [(_symmetric(6, small_diagonal=True), (6, 2)),
                                       (_symmetric(4, (2,), small_diagonal=True), (2, 4, 3)),
                                       (_symmetric(3), (2, 3, 1))], ids=["2x2_pivots", "batched", "broadcast"])
def test_ldl_solve_matches_torch(a, b_shape):
    b = RNG.standard_normal(b_shape)
    got = nt.linalg.ldl_solve(*nt.linalg.ldl_factor(nt.tensor(a)), nt.tensor(b))
    want = torch.linalg.ldl_solve(*torch.linalg.ldl_factor(torch.tensor(a)), torch.tensor(b))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.numpy(), np.linalg.solve(a, b), rtol=1e-9, atol=1e-12)


def test_ldl_has_no_derivative_like_torch():
    a, b = _symmetric(3), RNG.standard_normal((3, 2))
    messages = []
    for lib in (nt, torch):
        A, B = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        LD, pivots = lib.linalg.ldl_factor(A)
        X = lib.linalg.ldl_solve(LD.detach(), pivots, B)
        for out in (LD, X):
            assert out.requires_grad
            with pytest.raises(RuntimeError) as info:
                out.sum().backward()
            messages.append(str(info.value))
    assert messages[:2] == messages[2:]


def test_ldl_errors():
    with pytest.raises(nt.linalg.LinAlgError):
        nt.linalg.ldl_factor(nt.zeros(3, 3, dtype=nt.float64))
    with pytest.raises(nt.linalg.LinAlgError):
        nt.linalg.ldl_factor_ex(nt.zeros(3, 3, dtype=nt.float64), check_errors=True)
    for lib in (nt, torch):
        with pytest.raises(RuntimeError, match="A must be batches of square matrices, but they are 3 by 2"):
            lib.linalg.ldl_factor(lib.zeros(3, 2, dtype=lib.float64))
        LD, pivots = lib.linalg.ldl_factor(lib.eye(3, dtype=lib.float64))
        with pytest.raises(RuntimeError, match="each A matrix is 3 by 3 but each b matrix is 2 by 1"):
            lib.linalg.ldl_solve(LD, pivots, lib.ones(2, 1, dtype=lib.float64))
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.linalg.ldl_solve(LD, pivots, lib.ones(3, dtype=lib.float64))


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3), (1, 1)])
def test_geqrf_matches_torch(shape):
    a = RNG.standard_normal(shape)
    got, want = nt.geqrf(nt.tensor(a)), torch.geqrf(torch.tensor(a))
    np.testing.assert_allclose(got.a.numpy(), want.a.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.tau.numpy(), want.tau.numpy(), rtol=1e-10, atol=1e-12)
    if shape[-2] >= shape[-1]:
        np.testing.assert_allclose(nt.orgqr(got.a, got.tau).numpy(), torch.orgqr(want.a, want.tau).numpy(),
                                   rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(nt.tensor(a).geqrf().a.numpy(), got.a.numpy())


def test_geqrf_has_no_derivative_like_torch():
    messages = []
    for lib in (nt, torch):
        a = lib.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
        result = lib.geqrf(a)
        assert result.a.requires_grad and result.a.grad_fn.name() == "GeqrfBackward0"
        with pytest.raises(NotImplementedError) as info:
            result.a.sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("left,transpose", [(True, False), (True, True), (False, False), (False, True)])
def test_ormqr_matches_torch(left, transpose):
    reflectors, tau = torch.geqrf(torch.tensor(RNG.standard_normal((2, 5, 3))))
    other = RNG.standard_normal((2, 5, 2) if left else (2, 2, 5))
    compare_with_torch(lambda lib, a, t, c: lib.ormqr(a, t, c, left=left, transpose=transpose) ** 2
                       + a.ormqr(t, c, left, transpose), reflectors.numpy(), tau.numpy(), other, names=False,
                       tol=1e-10)


@pytest.mark.parametrize("shapes", [((3, 2), (2,), (4, 2)), ((3, 2), (3,), (3, 2)), ((3,), (3,), (3, 2))])
def test_ormqr_errors_match_torch(shapes):
    messages = []
    for lib in (nt, torch):
        with pytest.raises(RuntimeError) as info:
            lib.ormqr(*(lib.zeros(s, dtype=lib.float64) for s in shapes))
        messages.append(str(info.value))
    assert messages[0] == messages[1]
