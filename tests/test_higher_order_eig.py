"""Second derivatives through linalg.eig / linalg.eigvals (backward_graph: PyTorch's gradient formula on Tensors,
through the node's own outputs so that the eigenvectors' phase cancels) against PyTorch's."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_A = np.random.default_rng(0).standard_normal((3, 3))
_A_COMPLEX = _A + 1j * np.random.default_rng(1).standard_normal((3, 3))
_A_ROTATION = np.array([[0.1, -1, 0.2], [1, 0.3, 0], [0.2, 0.1, 0.5]])  # real, with complex eigenvalues


def _eig_loss(m, A):
    L, V = m.linalg.eig(A)
    return (L * L.conj()).real.sum() + (V.abs() ** 2 * m.arange(3.0)[:, None]).sum() + L.real.pow(3).sum()


def _eigenvalue_loss(m, A):
    L = m.linalg.eigvals(A)
    return L.real.pow(3).sum() + L.imag.sum()


def _eig_eigenvalue_loss(m, A):
    return (m.linalg.eig(A)[0] ** 2).real.sum()


@pytest.mark.parametrize("data, loss", [(_A, _eig_loss), (_A_ROTATION, _eig_loss), (_A_COMPLEX, _eig_loss),
                                        (_A, _eigenvalue_loss), (_A_COMPLEX, _eigenvalue_loss),
                                        (_A_COMPLEX, _eig_eigenvalue_loss)])
def test_second_derivative_like_torch(data, loss):
    results = []
    for m in (nt, torch):
        A = m.tensor(data).requires_grad_()
        g, = m.autograd.grad(loss(m, A), A, create_graph=True)
        h, = m.autograd.grad((g * g.conj()).real.sum(), A)
        results.append(h.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-8, atol=1e-8)


def test_gradgradcheck_of_eigenvalues():
    A = nt.tensor(_A).requires_grad_()
    assert nt.autograd.gradgradcheck(lambda a: nt.linalg.eigvals(a).real, (A,))
