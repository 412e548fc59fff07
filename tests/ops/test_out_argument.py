"""``out=`` of the arithmetic and product ops writes into ``out``'s memory (a view's base sees it), bumps its
version and resizes it with PyTorch's warning, as PyTorch does."""
import warnings

import numpy as np
import pytest

import numbatorch as nt

OPS = [("add", lambda L, a, b, out: L.add(a, b, out=out)), ("sub", lambda L, a, b, out: L.sub(a, b, out=out)),
       ("mul", lambda L, a, b, out: L.mul(a, b, out=out)), ("div", lambda L, a, b, out: L.div(a, b, out=out)),
       ("mm", lambda L, a, b, out: L.mm(a.reshape(2, 2), b.reshape(2, 2), out=out.reshape(2, 2))),
       ("matmul", lambda L, a, b, out: L.matmul(a.reshape(2, 2), b.reshape(2, 2), out=out.reshape(2, 2)))]


@pytest.mark.parametrize("name, op", OPS)
def test_writes_into_a_view_of_its_base_as_torch(name, op):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (nt, torch):
        base = lib.zeros(3, 4)
        a, b = lib.tensor([1., 2., 3., 4.]), lib.tensor([2., 2., 5., 8.])
        out = base[1]
        before = out._version
        returned = op(lib, a, b, out)
        assert returned.data_ptr() == out.data_ptr() or returned._version > before
        assert out._version > before
        results.append(base.numpy())
    np.testing.assert_allclose(*results)


def test_resize_warns_unless_empty_as_torch():
    torch = pytest.importorskip("torch")
    messages = []
    for lib in (nt, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.zeros(1)
            lib.add(lib.ones(4), lib.ones(4), out=out)
            empty = lib.zeros(0)
            lib.add(lib.ones(4), lib.ones(4), out=empty)
        assert tuple(out.shape) == (4,) and tuple(empty.shape) == (4,)
        messages.append([str(w.message) for w in caught if "resized" in str(w.message)])
    assert len(messages[0]) == len(messages[1]) == 1
    assert messages[1][0].startswith(messages[0][0])  # PyTorch's adds where in its C++ it was triggered
