"""Tensor.grad_dtype: the dtype autograd casts a leaf's gradient to, compared with PyTorch."""
import pytest

import numbatorch

torch = pytest.importorskip("torch")


def _errors(lib):
    y = lib.randn(2, requires_grad=True) * 2
    leaf = lib.randn(2, requires_grad=True)
    messages = []
    for act in (lambda: y.grad_dtype, lambda: setattr(y, "grad_dtype", lib.float64),
                lambda: setattr(leaf, "grad_dtype", 3)):
        with pytest.raises(RuntimeError) as info:
            act()
        messages.append(str(info.value))
    leaf.grad_dtype = lib.float64
    with pytest.raises(RuntimeError) as info:
        leaf.grad = lib.ones(2)
    messages.append(str(info.value))
    return messages


@pytest.mark.filterwarnings("ignore:The .grad attribute")
def test_grad_dtype_errors_match_torch():
    assert _errors(numbatorch) == _errors(torch)


def _dtypes(lib):
    seen = []
    x = lib.randn(2, requires_grad=True)
    seen.append(x.grad_dtype)
    x.grad_dtype = lib.float64
    (x.float() * 2).sum().backward()
    seen.append(x.grad.dtype)
    free = lib.randn(2, requires_grad=True)
    free.grad_dtype = None
    seen.append(free.grad_dtype)
    free.backward(lib.ones(2, dtype=lib.float64))
    seen.append(free.grad.dtype)
    plain = lib.randn(2, requires_grad=True)
    plain.backward(lib.ones(2, dtype=lib.float64))
    seen.append(plain.grad.dtype)
    seen.append(lib.autograd.grad((x * 2).sum(), x)[0].dtype)
    seen.append(lib.autograd.grad((x * 2).sum(), x, create_graph=True)[0].dtype)
    no_grad = lib.randn(2)
    no_grad.grad_dtype = lib.float16
    seen.append(no_grad.grad_dtype)
    return [str(d).split(".")[-1] for d in seen]


def test_gradients_take_grad_dtype_like_torch():
    assert _dtypes(numbatorch) == _dtypes(torch)


def test_name_is_read_only_none():
    t, ref = numbatorch.randn(2), torch.randn(2)
    assert t.name is None and ref.name is None
    for x in (t, ref):
        with pytest.raises(AttributeError):
            x.name = "x"
