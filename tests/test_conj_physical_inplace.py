"""conj_physical_ (in place) and nn.UninitializedBuffer against PyTorch."""
import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")


def _conj_in_place(lib):
    a = lib.tensor([1 + 2j, 3 - 1j], dtype=lib.complex128, requires_grad=True)
    b = a * 1
    same = lib.conj_physical_(b) is b and b.conj_physical_() is b
    (b * lib.tensor([2 + 1j, 1j], dtype=lib.complex128)).real.sum().backward()
    real = lib.tensor([1.0, 2.0])
    return same, b.detach().numpy(), a.grad.numpy(), real.conj_physical_() is real


def test_conj_physical_inplace_matches_torch():
    got, want = _conj_in_place(numbatorch), _conj_in_place(torch)
    assert got[0] == want[0] and got[3] == want[3]
    np.testing.assert_allclose(got[1], want[1])
    np.testing.assert_allclose(got[2], want[2])


def test_conj_physical_inplace_on_leaf_raises_like_torch():
    for lib in (numbatorch, torch):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            lib.tensor([1 + 1j], requires_grad=True).conj_physical_()


@pytest.mark.parametrize("kwargs", [{}, {"dtype": "float64", "persistent": False}, {"requires_grad": True}])
def test_uninitialized_buffer_like_torch(kwargs):
    made = []
    for lib in (numbatorch, torch):
        args = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        buf = lib.nn.UninitializedBuffer(**args)
        module = lib.nn.Module()
        module.x = buf
        made.append((repr(buf), str(buf.dtype).split(".")[-1], buf.requires_grad, buf.persistent,
                     isinstance(buf, lib.nn.Buffer), list(module._buffers)))
    assert made[0] == made[1]
