"""numbatorch.linalg norms and numbatorch.return_types against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt


@pytest.mark.parametrize("call", [
    lambda L, x: L.linalg.vector_norm(x),
    lambda L, x: L.linalg.vector_norm(x, 1, dim=1, keepdim=True),
    lambda L, x: L.linalg.vector_norm(x, float("inf"), dim=0),
    lambda L, x: L.linalg.norm(x),
    lambda L, x: L.linalg.norm(x, 3, dim=-1),
    lambda L, x: L.linalg.norm(x, "fro"),
    lambda L, x: L.linalg.matrix_norm(x),
    lambda L, x: L.linalg.matrix_norm(x, keepdim=True),
])
def test_norms_match_torch(call):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal((3, 4))
    x, tx = nt.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, tout = call(nt, x), call(torch, tx)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    assert out.grad_fn.name() == tout.grad_fn.name()
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_matrix_norm_needs_two_dims():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as ours:
        nt.linalg.matrix_norm(nt.ones(3))
    with pytest.raises(RuntimeError) as theirs:
        torch.linalg.matrix_norm(torch.ones(3))
    assert str(ours.value) == str(theirs.value)


def test_return_types_module():
    res = nt.max(nt.tensor([[1.0, 3.0], [2.0, 0.0]]), 1)
    assert isinstance(res, nt.return_types.max)
    assert res._fields == ("values", "indices")
    assert nt.return_types.aminmax._fields == ("min", "max")
