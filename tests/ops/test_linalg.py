"""Matrix products: values and gradients against PyTorch and finite differences, dtypes, errors, names."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

pytestmark = pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")


def _arrays(shapes, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


# (id, function of (module, *tensors), operand shapes)
PRODUCTS = [
    ("dot_1d_1d", lambda m, a, b: m.matmul(a, b), [(3,), (3,)]),
    ("mv_2d_1d", lambda m, a, b: m.matmul(a, b), [(4, 3), (3,)]),
    ("1d_2d", lambda m, a, b: m.matmul(a, b), [(3,), (3, 4)]),
    ("mm_2d_2d", lambda m, a, b: a @ b, [(4, 3), (3, 5)]),
    ("3d_2d", lambda m, a, b: a @ b, [(2, 4, 3), (3, 5)]),
    ("2d_3d", lambda m, a, b: a @ b, [(4, 3), (2, 3, 5)]),
    ("3d_1d", lambda m, a, b: a @ b, [(2, 4, 3), (3,)]),
    ("1d_3d", lambda m, a, b: a @ b, [(3,), (2, 3, 5)]),
    ("broadcast_4d_3d", lambda m, a, b: a @ b, [(2, 1, 4, 3), (5, 3, 2)]),
    ("batched_3d_3d", lambda m, a, b: a @ b, [(2, 4, 3), (2, 3, 5)]),
    ("mm", lambda m, a, b: m.mm(a, b), [(2, 3), (3, 4)]),
    ("bmm", lambda m, a, b: m.bmm(a, b), [(2, 2, 3), (2, 3, 4)]),
    ("mv", lambda m, a, b: m.mv(a, b), [(2, 3), (3,)]),
    ("dot", lambda m, a, b: m.dot(a, b), [(3,), (3,)]),
    ("vdot", lambda m, a, b: m.vdot(a, b), [(3,), (3,)]),
    ("outer", lambda m, a, b: m.outer(a, b), [(3,), (4,)]),
    ("ger", lambda m, a, b: m.ger(a, b), [(3,), (4,)]),
    ("inner_2d", lambda m, a, b: m.inner(a, b), [(2, 3), (4, 3)]),
    ("inner_1d", lambda m, a, b: m.inner(a, b), [(3,), (3,)]),
    ("einsum_mm", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    ("einsum_implicit", lambda m, a, b: m.einsum("ba,ac", a, b), [(2, 3), (3, 4)]),
    ("einsum_trace", lambda m, a: m.einsum("ii", a), [(3, 3)]),
    ("einsum_diag", lambda m, a: m.einsum("ii->i", a), [(3, 3)]),
    ("einsum_sum_only", lambda m, a: m.einsum("ij->j", a), [(3, 4)]),
    ("einsum_transpose", lambda m, a: m.einsum("ij->ji", a), [(3, 4)]),
    ("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b), [(2, 2, 3), (3, 4)]),
    ("einsum_broadcast_batch", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (1, 3, 4)]),
    ("einsum_three", lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c), [(2, 3), (3, 4), (4, 5)]),
    ("einsum_bilinear", lambda m, a, b, c: m.einsum("i,ij,j", a, b, c), [(3,), (3, 4), (4,)]),
    ("einsum_diag_contract", lambda m, a, b: m.einsum("iij,jk->ik", a, b), [(3, 3, 2), (2, 4)]),
    ("einsum_sublist", lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]), [(2, 3), (3, 4)]),
    ("einsum_list", lambda m, a, b: m.einsum("ij,jk", [a, b]), [(2, 3), (3, 4)]),
    ("tensordot_int", lambda m, a, b: m.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 5)]),
    ("tensordot_pairs", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [1, 0])), [(4, 3, 2), (2, 4, 5)]),
    ("tensordot_outer", lambda m, a, b: m.tensordot(a, b, dims=0), [(2, 3), (3, 2)]),
    ("kron_2d", lambda m, a, b: m.kron(a, b), [(2, 3), (4, 5)]),
    ("kron_1d_2d", lambda m, a, b: m.kron(a, b), [(3,), (2, 2)]),
    ("baddbmm", lambda m, i, a, b: m.baddbmm(i, a, b, beta=0.5, alpha=2), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    ("baddbmm_bcast", lambda m, i, a, b: m.baddbmm(i, a, b), [(5,), (2, 3, 4), (2, 4, 5)]),
    ("addmm", lambda m, i, a, b: m.addmm(i, a, b, beta=0.5, alpha=2), [(3, 5), (3, 4), (4, 5)]),
    ("addmm_bias", lambda m, i, a, b: m.addmm(i, a, b), [(5,), (3, 4), (4, 5)]),
    ("addmm_method", lambda m, i, a, b: i.addmm(a, b, alpha=-1), [(3, 5), (3, 4), (4, 5)]),
    ("addmv", lambda m, i, a, b: m.addmv(i, a, b, alpha=3), [(3,), (3, 4), (4,)]),
    ("addbmm", lambda m, i, a, b: m.addbmm(i, a, b, beta=2), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    ("addr", lambda m, i, a, b: m.addr(i, a, b, beta=2, alpha=0.5), [(3, 4), (3,), (4,)]),
    ("chain_matmul", lambda m, a, b, c: m.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 5)]),
]
_IDS = [p[0] for p in PRODUCTS]

# PyTorch's grad_fn names where numbatorch matches them (einsum/chain_matmul decompose differently there).
_SAME_NAME = {"dot_1d_1d", "mv_2d_1d", "1d_2d", "mm_2d_2d", "3d_2d", "2d_3d", "3d_1d", "1d_3d", "broadcast_4d_3d",
              "batched_3d_3d", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "inner_2d", "einsum_mm",
              "einsum_ellipsis", "tensordot_int", "tensordot_pairs", "kron_2d", "baddbmm", "addmm", "addmm_bias",
              "addmv", "addbmm", "addr"}


@pytest.mark.parametrize("name,fn,shapes", PRODUCTS, ids=_IDS)
def test_gradcheck(name, fn, shapes):
    inputs = [nt.tensor(a, requires_grad=True) for a in _arrays(shapes)]
    assert gradcheck(lambda *xs: fn(nt, *xs), inputs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,fn,shapes", PRODUCTS, ids=_IDS)
def test_matches_torch(name, fn, shapes, dtype):
    torch = pytest.importorskip("torch")
    arrays = _arrays(shapes, dtype, seed=1)
    ours = [nt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(nt, *ours), fn(torch, *theirs)
    assert tuple(out.shape) == tuple(expected.shape)
    assert out.dtype.name == str(expected.dtype).split(".")[-1]
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), **tol)
    seed = np.random.default_rng(2).standard_normal(tuple(expected.shape)).astype(dtype)
    out.backward(nt.tensor(seed))
    expected.backward(torch.tensor(seed))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    if name in _SAME_NAME:
        assert out.grad_fn.name() == expected.grad_fn.name()


@pytest.mark.parametrize("np_dtype", [np.int64, np.int32])
def test_integer_matmul_stays_integer(np_dtype):
    torch = pytest.importorskip("torch")
    a = np.arange(6, dtype=np_dtype).reshape(2, 3)
    b = np.arange(12, dtype=np_dtype).reshape(3, 4)
    for x, y in ((a, b), (a[None].repeat(2, 0), b), (a, b[:, 0]), (a[0], b[:, 0])):
        out = nt.from_numpy(x) @ nt.from_numpy(y)
        expected = torch.from_numpy(x) @ torch.from_numpy(y)
        assert out.dtype.name == str(expected.dtype).split(".")[-1]
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_outer_promotes_like_torch():
    torch = pytest.importorskip("torch")
    out = nt.outer(nt.arange(3), nt.arange(3.0))
    expected = torch.outer(torch.arange(3), torch.arange(3.0))
    assert out.dtype.name == str(expected.dtype).split(".")[-1]
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_int_einsum_and_addmm_scalars():
    torch = pytest.importorskip("torch")
    a, b = np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)
    np.testing.assert_array_equal(nt.einsum("ij,jk", nt.tensor(a), nt.tensor(b)).numpy(),
                                  torch.einsum("ij,jk", torch.tensor(a), torch.tensor(b)).numpy())
    i = np.ones((2, 2), dtype=np.int64)
    got = nt.addmm(nt.tensor(i), nt.tensor(a), nt.tensor(b), beta=2, alpha=3)
    want = torch.addmm(torch.tensor(i), torch.tensor(a), torch.tensor(b), beta=2, alpha=3)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert got.dtype is nt.int64


def test_beta_zero_ignores_nan_input():
    torch = pytest.importorskip("torch")
    nan = np.full((2, 2), np.nan, dtype=np.float32)
    one = np.ones((2, 2), dtype=np.float32)
    got = nt.addmm(nt.tensor(nan), nt.tensor(one), nt.tensor(one), beta=0)
    want = torch.addmm(torch.tensor(nan), torch.tensor(one), torch.tensor(one), beta=0)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


# (function of module, operand factories) whose error must equal PyTorch's type and message
def _f(*shape, dtype="float32"):
    return lambda m: m.ones(*shape, dtype=getattr(m, dtype))


ERRORS = [
    ("mm_shapes", lambda m: m.ones(4, 3) @ m.ones(5, 2)),
    ("dot_shapes", lambda m: m.ones(3) @ m.ones(4)),
    ("mv_shapes", lambda m: m.ones(4, 3) @ m.ones(5)),
    ("vm_shapes", lambda m: m.ones(5) @ m.ones(4, 3)),
    ("bmm_shapes", lambda m: m.ones(2, 4, 3) @ m.ones(2, 5, 2)),
    ("batch_broadcast", lambda m: m.ones(2, 4, 3) @ m.ones(3, 3, 2)),
    ("fold_shapes", lambda m: m.ones(2, 4, 3) @ m.ones(5, 2)),
    ("fold_left_shapes", lambda m: m.ones(4, 3) @ m.ones(2, 5, 2)),
    ("fold_mv_shapes", lambda m: m.ones(2, 4, 3) @ m.ones(5)),
    ("fold_vm_shapes", lambda m: m.ones(3) @ m.ones(2, 5, 2)),
    # PyTorch folds a 1-D/2-D left operand into one GEMM only when it requires grad: other messages
    ("fold_left_grad", lambda m: m.ones(4, 3, requires_grad=True) @ m.ones(2, 5, 2)),
    ("fold_vm_grad", lambda m: m.ones(3, requires_grad=True) @ m.ones(2, 5, 2)),
    ("zero_dim", lambda m: m.tensor(1.0) @ m.ones(2, 2)),
    ("mm_dtype", lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64)),
    ("mm_dtype_long", lambda m: m.ones(2, 3, dtype=m.int64) @ m.ones(3, 2)),
    ("batched_dtype", lambda m: m.ones(2, 2, 3) @ m.ones(2, 3, 2, dtype=m.float64)),
    ("dot_dtype", lambda m: m.ones(3) @ m.ones(3, dtype=m.float64)),
    ("bool_mm", lambda m: m.ones(2, 3, dtype=m.bool) @ m.ones(3, 2, dtype=m.bool)),
    ("mm_not_matrix", lambda m: m.mm(m.ones(2, 3), m.ones(3))),
    ("mm_self_not_matrix", lambda m: m.mm(m.ones(2, 3, 4), m.ones(4, 3))),
    ("bmm_mismatch", lambda m: m.bmm(m.ones(2, 3, 4), m.ones(3, 4, 3))),
    ("bmm_not_3d", lambda m: m.bmm(m.ones(3, 4), m.ones(3, 4, 3))),
    ("mv_mismatch", lambda m: m.mv(m.ones(3, 4), m.ones(5))),
    ("mv_not_vec", lambda m: m.mv(m.ones(3, 4), m.ones(5, 3))),
    ("dot_2d", lambda m: m.dot(m.ones(3, 1), m.ones(3))),
    ("outer_2d", lambda m: m.outer(m.ones(3, 1), m.ones(3))),
    ("inner_mismatch", lambda m: m.inner(m.ones(2, 3), m.ones(4, 2))),
    ("einsum_size", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(4, 4))),
    ("einsum_few_ops", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3))),
    ("einsum_ndim", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(3, 4, 1))),
    ("einsum_diag_size", lambda m: m.einsum("ii->i", m.ones(2, 3))),
    ("tensordot_mismatch", lambda m: m.tensordot(m.ones(2, 3), m.ones(4, 2), dims=1)),
    ("addmm_expand", lambda m: m.addmm(m.ones(3, 6), m.ones(3, 4), m.ones(4, 5))),
    ("addmm_dtype", lambda m: m.addmm(m.ones(3, 5), m.ones(3, 4), m.ones(4, 5, dtype=m.float64))),
    ("addmm_1d", lambda m: m.addmm(m.ones(5), m.ones(3), m.ones(4, 5))),
    ("baddbmm_expand", lambda m: m.baddbmm(m.ones(2, 3, 6), m.ones(2, 3, 4), m.ones(2, 4, 5))),
    ("addmv_dtype", lambda m: m.addmv(m.ones(3, dtype=m.float64), m.ones(3, 4), m.ones(4, dtype=m.float64))),
    ("addr_int_beta", lambda m: m.addr(m.ones(3, 4, dtype=m.int64), m.arange(3), m.arange(4), beta=2.5)),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, fn):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(type(expected.value)) as got:
        fn(nt)
    assert str(got.value) == str(expected.value)


def test_issue_example_message():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)"):
        nt.randn(4, 3) @ nt.randn(5, 2)


def test_rmatmul_with_numpy_array_is_not_hijacked():
    # ndarray @ Tensor defers to Tensor.__rmatmul__ only for Tensors; a non-Tensor operand gets NotImplemented.
    a = nt.ones(2, 2)
    assert a.__matmul__(np.ones((2, 2))) is NotImplemented
    assert a.__rmatmul__(np.ones((2, 2))) is NotImplemented


def test_matmul_function_rejects_non_tensor():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError) as expected:
        torch.matmul(torch.ones(2, 2), [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError) as got:
        nt.matmul(nt.ones(2, 2), [[1.0, 2.0], [3.0, 4.0]])
    assert str(got.value) == str(expected.value)


def test_inplace_forms_and_out():
    torch = pytest.importorskip("torch")
    arrays = _arrays([(3, 5), (3, 4), (4, 5)])
    ours = [nt.tensor(a) for a in arrays]
    theirs = [torch.tensor(a) for a in arrays]
    ours[0].addmm_(ours[1], ours[2], alpha=2)
    theirs[0].addmm_(theirs[1], theirs[2], alpha=2)
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy())
    out = nt.empty(3, 5, dtype=nt.float64)
    res = nt.mm(ours[1], ours[2], out=out)
    assert res is out
    np.testing.assert_allclose(out.numpy(), arrays[1] @ arrays[2])


def test_inplace_change_of_saved_operand_is_detected():
    a = nt.randn(3, 3, requires_grad=True)
    b = nt.randn(3, 3)
    y = a @ b
    b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward() if hasattr(y, "sum") else y.backward(nt.ones(3, 3))


def test_only_needed_operands_saved():
    # With only the weight requiring grad, backward needs the input alone: an in-place change of the weight's
    # other operand is harmless... and must not raise.
    x = nt.randn(2, 3)
    w = nt.randn(3, 4, requires_grad=True)
    y = x @ w
    w.detach().mul_(2)  # modifies w's data (shared) but w's own value is not read by its gradient
    y.backward(nt.ones(2, 4))
    np.testing.assert_allclose(w.grad.numpy(), x.numpy().T @ np.ones((2, 4)), rtol=1e-6)


def test_large_batched_fold_matches_numpy():
    a = nt.randn(4, 8, 16, requires_grad=True)
    b = nt.randn(16, 5, requires_grad=True)
    out = a @ b
    np.testing.assert_allclose(out.detach().numpy(), np.matmul(a.detach().numpy(), b.detach().numpy()), rtol=1e-5)
    out.backward(nt.ones(4, 8, 5))
    np.testing.assert_allclose(b.grad.numpy(), a.detach().numpy().reshape(-1, 16).T @ np.ones((32, 5)), rtol=1e-4)
