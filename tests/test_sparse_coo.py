"""Sparse COO tensors against PyTorch: construction, coalescing, conversions, sparse @ dense and dense + sparse
with gradients for the dense operand and for the values."""
import warnings

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

INDICES = [[0, 1, 1, 0], [2, 0, 2, 2]]  # (0, 2) appears twice: summed when coalesced
VALUES = [3.0, 4.0, 5.0, 1.5]


def _both(data, grad=False, dtype=np.float64):
    data = np.asarray(data, dtype=dtype)
    return nt.tensor(data, requires_grad=grad), torch.tensor(data, requires_grad=grad)


def _same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)


def test_construction_and_coalesce():
    ours = nt.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    theirs = torch.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    assert ours.is_sparse and ours.layout is nt.sparse_coo and not nt.ones(1).is_sparse
    assert ours._nnz() == theirs._nnz() and ours.sparse_dim() == 2 and ours.dense_dim() == 0
    assert ours.is_coalesced() == theirs.is_coalesced()
    _same(ours.to_dense(), theirs.to_dense())
    oc, tc = ours.coalesce(), theirs.coalesce()
    assert oc.is_coalesced() and oc.indices().tolist() == tc.indices().tolist()
    _same(oc.values(), tc.values())
    with pytest.raises(RuntimeError, match="uncoalesced"):
        ours.indices()
    assert tuple(nt.sparse_coo_tensor(INDICES, VALUES).shape) == tuple(torch.sparse_coo_tensor(INDICES, VALUES).shape)
    hybrid = np.arange(8.0).reshape(4, 2)
    _same(nt.sparse_coo_tensor(INDICES, hybrid, (2, 3, 2)).to_dense(),
          torch.sparse_coo_tensor(INDICES, hybrid, (2, 3, 2)).to_dense())
    _same(ours.t().to_dense(), theirs.t().to_dense())


def test_to_sparse_of_dense():
    data = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, -3.0]])
    ours, theirs = nt.tensor(data).to_sparse(), torch.tensor(data).to_sparse()
    assert ours.indices().tolist() == theirs.indices().tolist()
    _same(ours.values(), theirs.values())
    ours1, theirs1 = nt.tensor(data).to_sparse(1), torch.tensor(data).to_sparse(1)
    assert ours1.indices().tolist() == theirs1.indices().tolist()
    _same(ours1.values(), theirs1.values())


@pytest.mark.parametrize("op", ["mm", "spmm", "matmul", "add"])
def test_products_and_sums_with_gradients(op):
    rng = np.random.default_rng(0)
    dense_data = rng.standard_normal((3, 4)) if op != "add" else rng.standard_normal((2, 3))
    results = []
    for lib in (nt, torch):
        values = lib.tensor(np.array(VALUES), requires_grad=True)
        sparse = lib.sparse_coo_tensor(lib.tensor(INDICES), values, (2, 3))
        dense = lib.tensor(dense_data, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = {"mm": lambda: lib.sparse.mm(sparse, dense), "spmm": lambda: lib.spmm(sparse, dense),
                   "matmul": lambda: sparse @ dense, "add": lambda: dense + sparse}[op]()
        w = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * lib.tensor(w)).sum().backward()
        results.append((out, dense.grad, values.grad))
    for o, t in zip(*results):
        _same(o, t)


def test_leaf_sparse_tensor_and_legacy_constructor():
    ours = nt.sparse_coo_tensor(INDICES, VALUES, (2, 3), requires_grad=True)
    assert ours.requires_grad and ours.is_leaf
    (ours.to_dense() * nt.arange(6.0).reshape(2, 3)).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), np.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning, match="deprecated"):
        legacy = nt.sparse.FloatTensor(nt.tensor(INDICES), nt.tensor(VALUES), nt.Size([2, 3]))
    assert legacy.dtype is nt.float32 and legacy.is_sparse


# numbatorch always checks what PyTorch checks with check_invariants=True (an unchecked index would corrupt memory).
@pytest.mark.parametrize("expr,same_text", [
    ("m.sparse_coo_tensor([[0, 5]], [1.0, 2.0], (3,), check_invariants=True)", True),
    ("m.sparse_coo_tensor([[0, 1]], [1.0, 2.0, 3.0], (3,))", True),
    ("m.sparse_coo_tensor([0, 1], [1.0, 2.0], (3,))", False)])
def test_errors_match_torch(expr, same_text):
    with pytest.raises(RuntimeError) as theirs:
        eval(expr, {"m": torch})
    with pytest.raises(RuntimeError) as ours:
        eval(expr, {"m": nt})
    if same_text:
        assert str(ours.value).split(":")[0] == str(theirs.value).split(":")[0]


def test_pickle_and_deepcopy_keep_the_coo_description():
    import copy
    import pickle
    original = nt.sparse_coo_tensor(INDICES, VALUES, (2, 3), requires_grad=True)
    for clone in (pickle.loads(pickle.dumps(original)), copy.deepcopy(original)):
        assert clone.is_sparse and clone.requires_grad and clone._nnz() == original._nnz()
        np.testing.assert_array_equal(clone._indices().numpy(), original._indices().numpy())
        np.testing.assert_array_equal(clone.to_dense().detach().numpy(), original.to_dense().detach().numpy())
