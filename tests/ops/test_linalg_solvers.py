"""linalg solvers, matrix norms, powers, products and cross products: values and gradients against PyTorch."""
import math
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(1)
A = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
B = RNG.standard_normal((2, 3, 2))
VEC = RNG.standard_normal((2, 3))
TALL = RNG.standard_normal((5, 3))
RHS = RNG.standard_normal((5, 2))
M34 = RNG.standard_normal((2, 3, 4))
BT = np.ascontiguousarray(np.swapaxes(B, -1, -2))
TS_A = RNG.standard_normal((6, 2, 3)) + 3 * np.eye(6).reshape(6, 2, 3)
TS_B = RNG.standard_normal(6)
TI = RNG.standard_normal((2, 3, 6)) + 3 * np.eye(6).reshape(2, 3, 6)


def _spd(m):
    module = nt if isinstance(m, nt.Tensor) else torch
    return m @ m.mT + 3 * module.eye(m.shape[-1], dtype=m.dtype)


def _run(module, fn, arrays):
    inputs = [module.tensor(x, requires_grad=True) for x in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(module)(*inputs)
    return inputs, out


CASES = [
    ("solve", lambda m: m.linalg.solve, (A, B)),
    ("solve_vector", lambda m: m.linalg.solve, (A, VEC)),
    ("solve_single_vector", lambda m: m.linalg.solve, (A[0], VEC[0])),
    ("solve_broadcast", lambda m: m.linalg.solve, (A[0], B)),
    ("solve_right", lambda m: lambda a, b: m.linalg.solve(a, b, left=False), (A, BT)),
    ("solve_triangular_upper", lambda m: lambda a, b: m.linalg.solve_triangular(a, b, upper=True), (A, B)),
    ("solve_triangular_lower_unit", lambda m: lambda a, b: m.linalg.solve_triangular(
        a, b, upper=False, unitriangular=True), (A, B)),
    ("solve_triangular_right", lambda m: lambda a, b: m.linalg.solve_triangular(a, b, upper=True, left=False),
     (A, BT)),
    ("cholesky_solve", lambda m: lambda b, a: m.cholesky_solve(b, m.linalg.cholesky(_spd(a))), (B, A)),
    ("cholesky_solve_upper", lambda m: lambda b, a: m.cholesky_solve(
        b, m.linalg.cholesky(_spd(a), upper=True), upper=True), (B, A)),
    ("cholesky_inverse", lambda m: lambda a: m.cholesky_inverse(m.linalg.cholesky(_spd(a))), (A,)),
    ("lstsq", lambda m: lambda a, b: m.linalg.lstsq(a, b).solution, (TALL, RHS)),
    ("lstsq_vector", lambda m: lambda a, b: m.linalg.lstsq(a, b).solution, (TALL, RHS[:, 0])),
    ("matrix_power_3", lambda m: lambda a: m.linalg.matrix_power(a, 3), (A,)),
    ("matrix_power_neg", lambda m: lambda a: m.matrix_power(a, -2), (A,)),
    ("multi_dot", lambda m: lambda a, b, c: m.linalg.multi_dot([a, b, c]), (VEC[0], A[0], A[1])),
    ("cross", lambda m: lambda a, b: m.linalg.cross(a, b), (A, A[::-1].copy())),
    ("torch_cross_default_dim", lambda m: lambda a, b: m.cross(a, b), (M34, M34[::-1].copy())),
    ("vecdot", lambda m: lambda a, b: m.linalg.vecdot(a, b, dim=1), (A, B[..., :1])),
    ("cond", lambda m: m.linalg.cond, (A,)),
] + [
    (f"matrix_norm_{ord}", (lambda o: lambda m: lambda a: m.linalg.matrix_norm(a, o))(ord), (M34,))
    for ord in ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)
] + [
    ("matrix_norm_dims_keepdim", lambda m: lambda a: m.linalg.matrix_norm(a, 1, dim=(2, 0), keepdim=True), (M34,)),
    ("matrix_norm_nuc_keepdim", lambda m: lambda a: m.linalg.matrix_norm(a, "nuc", dim=(0, 2), keepdim=True),
     (M34,)),
    ("norm_default", lambda m: m.linalg.norm, (M34,)),
    ("norm_matrix_ord", lambda m: lambda a: m.linalg.norm(a, 2), (A[0],)),
    ("norm_vector_dim", lambda m: lambda a: m.linalg.norm(a, 3, dim=1), (M34,)),
    ("norm_matrix_dims", lambda m: lambda a: m.linalg.norm(a, -math.inf, dim=(1, 2)), (M34,)),
    ("matrix_exp", lambda m: m.linalg.matrix_exp, (A,)),
    ("torch_matrix_exp_large_norm", lambda m: lambda a: m.matrix_exp(4 * a), (A[0],)),
    ("diagonal", lambda m: lambda a: m.linalg.diagonal(a, offset=1), (M34,)),
    ("tensorinv", lambda m: lambda a: m.linalg.tensorinv(a, ind=2), (TI,)),
    ("tensorsolve", lambda m: lambda a, b: m.linalg.tensorsolve(a, b), (TS_A, TS_B)),
    ("tensorsolve_dims", lambda m: lambda a, b: m.linalg.tensorsolve(a, b, dims=(0,)), (TS_A.transpose(1, 0, 2).copy(),
                                                                                       TS_B)),
    ("linalg_vander", lambda m: lambda x: m.linalg.vander(x, N=4), (VEC,)),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(name, fn, arrays):
    ours_in, ours = _run(nt, fn, arrays)
    theirs_in, theirs = _run(torch, fn, arrays)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7, atol=1e-10)
    w = RNG.standard_normal(tuple(theirs.shape))
    (ours * nt.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-9)


# PyTorch's own backward of cond(A, 'fro') and of torch.vander fails (in-place modification of a saved tensor):
# values against PyTorch, gradients by gradcheck only.
VALUES_ONLY = [("cond_fro", lambda m: lambda a: m.linalg.cond(a, "fro"), (A,)),
               ("cond_1", lambda m: lambda a: m.linalg.cond(a, 1), (A,)),
               ("vander", lambda m: lambda x: m.vander(x), (np.array([0.0, 1.5, -2.0]),)),
               ("vander_increasing", lambda m: lambda x: m.vander(x, 2, increasing=True), (VEC[0],))]


@pytest.mark.parametrize("name,fn,arrays", VALUES_ONLY, ids=[c[0] for c in VALUES_ONLY])
def test_values_match_torch(name, fn, arrays):
    with torch.no_grad():
        theirs = _run(torch, fn, arrays)[1]
    np.testing.assert_allclose(_run(nt, fn, arrays)[1].detach().numpy(), theirs.numpy(), rtol=1e-7)


@pytest.mark.parametrize("name,fn,arrays", CASES + VALUES_ONLY, ids=[c[0] for c in CASES + VALUES_ONLY])
def test_gradcheck(name, fn, arrays):
    inputs = tuple(nt.tensor(x, requires_grad=True) for x in arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(fn(nt), inputs, eps=1e-6, atol=1e-5)


def test_lstsq_outputs_per_driver_match_torch():
    tall, rhs = TALL[None].repeat(2, 0), RHS[None].repeat(2, 0)
    for driver in (None, "gelsy", "gelsd", "gelss", "gels"):
        ours = nt.linalg.lstsq(nt.tensor(tall), nt.tensor(rhs), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(tall), torch.tensor(rhs), driver=driver)
        for o, t in zip(ours, theirs):
            assert tuple(o.shape) == tuple(t.shape) and str(o.dtype)[-5:] == str(t.dtype)[-5:]
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("expr", ["m.linalg.matrix_rank(m.ones(3, 3))", "m.linalg.matrix_rank(m.eye(4))",
                                  "m.linalg.matrix_rank(m.ones(3, 3), tol=0.5)",
                                  "m.linalg.matrix_rank(m.diag(m.tensor([1.0, 1e-3, 0.0])), atol=1e-2)",
                                  "m.linalg.matrix_rank(m.diag(m.tensor([1.0, 1e-3, 0.0])), rtol=1e-4)",
                                  "m.linalg.matrix_rank(m.ones(2, 3, 3), hermitian=True)"])
def test_matrix_rank_matches_torch(expr):
    ours, theirs = eval(expr, {"m": nt}), eval(expr, {"m": torch})
    assert ours.tolist() == theirs.tolist() and ours.dtype is nt.int64


ERRORS = [
    "m.linalg.solve(m.zeros(3, 3), m.ones(3))", "m.linalg.solve(m.eye(3), m.ones(2, 1))",
    "m.linalg.lstsq(m.ones(3, 2), m.ones(4, 1))", "m.linalg.cross(m.ones(3), m.ones(2))",
    "m.linalg.multi_dot([m.ones(3)])", "m.linalg.matrix_norm(m.ones(3))",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    with pytest.raises(RuntimeError) as theirs:
        eval(expr, {"m": torch})
    with pytest.raises(RuntimeError) as ours:
        eval(expr, {"m": nt})
    assert str(ours.value) == str(theirs.value)


def test_solve_ex_reports_singular_matrices():
    a = np.stack([np.eye(2), np.zeros((2, 2))])
    ours = nt.linalg.solve_ex(nt.tensor(a), nt.ones(2, 2, 1, dtype=nt.float64))
    theirs = torch.linalg.solve_ex(torch.tensor(a), torch.ones(2, 2, 1, dtype=torch.float64))
    assert ours.info.tolist() == theirs.info.tolist()
    assert tuple(ours.result.shape) == tuple(theirs.result.shape)
