"""Complex input to sigmoid (numpy, not the real-only kernel) and to sign (PyTorch's error) against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_Z = np.array([1 + 2j, -0.5 + 0.1j, 3 - 1j])


def test_sigmoid_of_complex_with_first_and_second_derivatives_like_torch():
    results = []
    for m in (nt, torch):
        z = m.tensor(_Z).requires_grad_()
        y = m.sigmoid(z)
        g, = m.autograd.grad((y * y.conj()).real.sum(), z, create_graph=True)
        h, = m.autograd.grad(g.abs().sum(), z)
        results.append([t.detach().numpy() for t in (y, g, h)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_sign_of_complex_raises_like_torch():
    with pytest.raises(NotImplementedError) as expected:
        torch.tensor(_Z).sign()
    with pytest.raises(NotImplementedError) as ours:
        nt.tensor(_Z).sign()
    assert str(ours.value) == str(expected.value)
