"""Arithmetic operators (+ - * / // % ** and their reflected and in-place forms) against PyTorch."""
import operator

import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck

rng = np.random.default_rng(0)
A = rng.uniform(0.5, 2.0, (3, 4))
B = rng.uniform(0.5, 2.0, (4,))

BINARY = [
    ("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("truediv", operator.truediv),
    ("pow", operator.pow), ("mod", operator.mod),
]


def _run(lib, fn, a, b, a_grad, b_grad):
    ta = lib.tensor(a, requires_grad=a_grad) if isinstance(a, np.ndarray) else a
    tb = lib.tensor(b, requires_grad=b_grad) if isinstance(b, np.ndarray) else b
    out = fn(ta, tb)
    if out.requires_grad:
        out.backward(lib.ones_like(out))
    grads = [t.grad.numpy() if isinstance(t, lib.Tensor) and t.requires_grad else None for t in (ta, tb)]
    return out.detach().numpy(), grads, type(out.grad_fn).__name__ if hasattr(out.grad_fn, "name") else None


@pytest.mark.parametrize("operands", ["tt", "ts", "st"])
@pytest.mark.parametrize("name,fn", BINARY, ids=[n for n, _ in BINARY])
def test_binary_operator_matches_torch(name, fn, operands):
    torch = pytest.importorskip("torch")
    a = A if operands[0] == "t" else 1.7
    b = B if operands[1] == "t" else 1.3
    # PyTorch has no derivative of remainder with respect to the divisor.
    b_grad = name != "mod"
    out_nb, grads_nb, _ = _run(numbatorch, fn, a, b, True, b_grad)
    out_th, grads_th, _ = _run(torch, fn, a, b, True, b_grad)
    np.testing.assert_allclose(out_nb, out_th, rtol=1e-12)
    for g_nb, g_th in zip(grads_nb, grads_th):
        assert (g_nb is None) == (g_th is None)
        if g_th is not None:
            np.testing.assert_allclose(g_nb, g_th, rtol=1e-10)


@pytest.mark.parametrize("name,fn", BINARY, ids=[n for n, _ in BINARY])
def test_binary_operator_gradcheck(name, fn):
    a = numbatorch.tensor(A, requires_grad=True)
    b = numbatorch.tensor(B, requires_grad=True)
    assert gradcheck(fn, (a, b))
    assert gradcheck(lambda t: fn(2.5, t), (b,))
    assert gradcheck(lambda t: fn(t, 1.5), (a,))


ALPHA_FORMS = [("add", lambda lib, a, b: a.add(b, alpha=2.5)), ("sub", lambda lib, a, b: a.sub(b, alpha=-0.5)),
               ("rsub", lambda lib, a, b: lib.rsub(a, b, alpha=2.0))]


@pytest.mark.parametrize("name,fn", ALPHA_FORMS, ids=[n for n, _ in ALPHA_FORMS])
def test_alpha_forms_match_torch(name, fn):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (numbatorch, torch):
        a, b = lib.tensor(A, requires_grad=True), lib.tensor(B, requires_grad=True)
        out = fn(lib, a, b)
        out.backward(lib.ones_like(out))
        results.append((out.detach().numpy(), a.grad.numpy(), b.grad.numpy()))
    for nb, th in zip(*results):
        np.testing.assert_allclose(nb, th, rtol=1e-12)
    a, b = numbatorch.tensor(A, requires_grad=True), numbatorch.tensor(B, requires_grad=True)
    assert gradcheck(lambda x, y: fn(numbatorch, x, y), (a, b))


def test_broadcast_error_names_the_sizes():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 1"):
        numbatorch.ones(2, 3) + numbatorch.ones(4)


def test_floor_divide_and_trunc_division_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-7, -3, 3, 7])
    y = np.array([2, -2, 2, -2])
    for mode in (None, "trunc", "floor"):
        nb = numbatorch.div(numbatorch.tensor(x), numbatorch.tensor(y), rounding_mode=mode)
        th = torch.div(torch.tensor(x), torch.tensor(y), rounding_mode=mode)
        np.testing.assert_array_equal(nb.numpy(), th.numpy())
        assert str(nb.dtype).split(".")[1] == str(th.dtype).split(".")[1]
    np.testing.assert_array_equal((numbatorch.tensor(x) // 2).numpy(), (torch.tensor(x) // 2).numpy())
    np.testing.assert_array_equal((numbatorch.tensor(x) % 3).numpy(), (torch.tensor(x) % 3).numpy())


def test_neg_and_inplace_forms_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (numbatorch, torch):
        x = lib.tensor(A, requires_grad=True)
        y = -x * 1
        y += 2
        y -= x
        y *= 3
        y /= 2
        y.sum().backward()
        if lib is numbatorch:
            nb_y, nb_g = y.detach().numpy(), x.grad.numpy()
        else:
            np.testing.assert_allclose(nb_y, y.detach().numpy())
            np.testing.assert_allclose(nb_g, x.grad.numpy())


def test_inplace_on_leaf_requiring_grad_raises():
    x = numbatorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)


def test_inplace_result_type_must_be_castable():
    x = numbatorch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x.add_(1.5)




@pytest.mark.parametrize("op", [operator.truediv, operator.mod, operator.floordiv, "fmod"])
def test_division_by_zero_is_silent_like_pytorch(op):
    """``0/0`` and ``x/0`` give PyTorch's inf/nan, forward and backward, without numpy's RuntimeWarning."""
    import warnings
    torch = pytest.importorskip("torch")
    num, den = np.array([0.0, 1.0, -2.0]), np.array([0.0, 0.0, 0.0])

    def run(lib):
        fn = (lambda a, b: lib.fmod(a, b)) if op == "fmod" else op
        a = lib.tensor(num, requires_grad=op is not operator.floordiv)
        b = lib.tensor(den, requires_grad=op is operator.truediv)
        out = fn(a, b)
        if out.requires_grad:
            out.sum().backward()
        return [out.detach().numpy(), fn(a.detach(), 0.0).numpy()] + [t.grad.numpy() for t in (a, b)
                                                                        if t.grad is not None]

    with warnings.catch_warnings(record=True) as caught:  # numbatorch's filters as they are
        ours = run(numbatorch)
    assert [str(w.message) for w in caught] == []
    theirs = run(torch)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)
