"""add_/sub_ (+=, -=) and relu_ written straight into a tensor while autograd records (_ops/_inplace_direct.py):
the same array, the node PyTorch records, the same gradients as the out-of-place op, and the version checks that
guard what the node and earlier nodes saved."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch._ops import _inplace_direct
from numbatorch.backends.cpu import _arithmetic_kernels as threaded

# small, and large enough for the threaded kernels
SHAPES = [(3, 5), (threaded.MIN_ARITHMETIC_ELEMENTS // 256 + 1, 256)]
METHODS = [("add_", {}, "AddBackward0"), ("add_", {"alpha": -0.37}, "AddBackward0"), ("sub_", {}, "SubBackward0"),
           ("sub_", {"alpha": 2.5}, "SubBackward0"), ("__iadd__", {}, "AddBackward0"),
           ("__isub__", {}, "SubBackward0")]


@pytest.fixture
def general_path_calls(monkeypatch):
    """The calls of the general path (out of place, then a copy) made by the in-place methods."""
    calls = []

    def spy(self, result):
        calls.append(result)
        return apply_inplace(self, result)
    apply_inplace = _inplace_direct.apply_inplace
    monkeypatch.setattr(_inplace_direct, "apply_inplace", spy)
    return calls


def _values(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def _run(lib, method, kwargs, shape, other_kind, self_requires_grad):
    """``y.<method>(other)`` with y a non-leaf (or a plain tensor when ``self_requires_grad`` is False), then a
    weighted sum's backward: (y's values, the leaves' gradients, y's node name, whether y kept its storage)."""
    x = lib.tensor(_values(shape, 0), requires_grad=self_requires_grad)
    y = x * 1.5 if self_requires_grad else x.clone()
    data_pointer = y.data_ptr()
    leaves = [x] if self_requires_grad else []
    if other_kind == "number":
        other = 0.75
    else:
        other = lib.tensor(_values(shape if other_kind == "same shape" else shape[-1:], 1), requires_grad=True)
        leaves.append(other)
    out = getattr(y, method)(other, **kwargs)
    assert out is y
    (y * lib.tensor(_values(shape, 2))).sum().backward()
    return (y.detach().numpy().copy(), [t.grad.numpy().copy() for t in leaves], type(y.grad_fn).__name__,
            y.data_ptr() == data_pointer)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("other_kind,self_requires_grad", [("same shape", True), ("row", True), ("number", True),
                                                           ("same shape", False), ("row", False)])
@pytest.mark.parametrize("method,kwargs,node", METHODS)
def test_add_sub_record_and_match_the_out_of_place_op(method, kwargs, node, other_kind, self_requires_grad, shape,
                                                     general_path_calls):
    values, grads, name, same_storage = _run(nt, method, kwargs, shape, other_kind, self_requires_grad)
    assert same_storage and name == node and general_path_calls == []
    sign = -1.0 if method in ("sub_", "__isub__") else 1.0
    alpha = kwargs.get("alpha", 1.0)
    other = 0.75 if other_kind == "number" else _values(shape if other_kind == "same shape" else shape[-1:], 1)
    start = _values(shape, 0) * 1.5 if self_requires_grad else _values(shape, 0)
    np.testing.assert_allclose(values, start + sign * alpha * other, rtol=1e-12)
    weights = _values(shape, 2)
    want = ([1.5 * weights] if self_requires_grad else [])
    if other_kind != "number":
        want.append(sign * alpha * (weights if other_kind == "same shape" else weights.sum(0)))
    for got, expected in zip(grads, want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method,kwargs,node", METHODS[:4])
def test_add_sub_gradients_match_pytorch(method, kwargs, node):
    torch = pytest.importorskip("torch")
    for other_kind in ("same shape", "row"):
        ours = _run(nt, method, kwargs, (4, 6), other_kind, True)
        theirs = _run(torch, method, kwargs, (4, 6), other_kind, True)
        assert ours[2] == theirs[2] == node
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
        for got, want in zip(ours[1], theirs[1], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_inplace_records_on_the_same_array(shape, general_path_calls):
    values = _values(shape, 3)
    x = nt.tensor(values, requires_grad=True)
    y = x * 2.0
    data_pointer = y.data_ptr()
    nt.nn.functional.relu(y, inplace=True)
    assert y.data_ptr() == data_pointer and y.grad_fn.name() == "ReluBackward0" and general_path_calls == []
    np.testing.assert_array_equal(y.detach().numpy(), np.maximum(values * 2.0, 0.0))
    y.backward(nt.tensor(_values(shape, 4)))
    np.testing.assert_array_equal(x.grad.numpy(), np.where(values > 0, 2.0 * _values(shape, 4), 0.0))


def test_relu_inplace_gradient_matches_pytorch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (nt, torch):
        x = lib.tensor(_values((5, 7), 5), requires_grad=True)
        y = x * 3.0
        y += x  # recorded directly, then relu_ on it: y's history runs through both in-place nodes
        y.relu_()
        (y * y).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("lib_name", ["numbatorch", "torch"])
def test_writing_after_relu_inplace_fails_its_backward(lib_name):
    """relu_'s node saved its result, which is the tensor itself: a later in-place write must fail backward."""
    lib = nt if lib_name == "numbatorch" else pytest.importorskip("torch")
    x = lib.tensor(_values((3, 4), 6), requires_grad=True)
    y = x * 1.0
    y.relu_()
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("lib_name", ["numbatorch", "torch"])
def test_writing_what_an_earlier_node_read_fails_its_backward(lib_name):
    lib = nt if lib_name == "numbatorch" else pytest.importorskip("torch")
    x = lib.tensor(_values((3, 4), 7), requires_grad=True)
    y = x * 1.0
    z = y * y  # its backward reads y
    y += 1.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_adding_a_tensor_to_itself():
    x = nt.tensor(_values((4, 3), 8), requires_grad=True)
    y = x * 1.0
    y += y
    y.backward(nt.ones(4, 3))
    np.testing.assert_array_equal(x.grad.numpy(), np.full((4, 3), 2.0))


def test_second_derivative_through_a_recorded_add():
    x = nt.tensor(_values((5,), 9), requires_grad=True)
    y = x * x
    y.add_(x, alpha=3.0)
    (first,) = nt.autograd.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(first.detach().numpy(), 2 * _values((5,), 9) + 3.0, rtol=1e-12)
    (second,) = nt.autograd.grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), np.full(5, 2.0))


def test_views_and_leaves_take_the_general_path(general_path_calls):
    base = nt.tensor(_values((4, 3), 10), requires_grad=True) * 1.0
    other = nt.tensor(_values((3,), 11), requires_grad=True)
    base[1].add_(other)
    assert base.grad_fn.name() == "CopySlices" and len(general_path_calls) == 1
    base.sum().backward()
    np.testing.assert_array_equal(other.grad.numpy(), np.ones(3))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        nt.ones(3, requires_grad=True).relu_()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["mul_", "div_", "__imul__", "__itruediv__"])
@pytest.mark.parametrize("other_kind", ["number", "same shape", "row"])
def test_mul_div_by_a_constant_record_on_the_same_array(method, other_kind, shape, general_path_calls):
    """mul_/div_ by an operand requiring no grad: the node reads only that operand, so the op writes in place."""
    values = _values(shape, 12)
    other_values = 0.75 if other_kind == "number" else \
        _values(shape if other_kind == "same shape" else shape[-1:], 13)
    x = nt.tensor(values, requires_grad=True)
    y = x * 1.5
    data_pointer = y.data_ptr()
    other = other_values if other_kind == "number" else nt.tensor(other_values)
    assert getattr(y, method)(other) is y
    divide = method in ("div_", "__itruediv__")
    assert y.data_ptr() == data_pointer and general_path_calls == []
    assert y.grad_fn.name() == ("DivBackward0" if divide else "MulBackward0")
    np.testing.assert_array_equal(y.detach().numpy(), values * 1.5 / other_values if divide else
                                  values * 1.5 * other_values)
    weights = _values(shape, 14)
    y.backward(nt.tensor(weights))
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (weights / other_values if divide else weights * other_values),
                               rtol=1e-12)


def test_mul_by_a_tensor_requiring_grad_or_by_itself_takes_the_general_path(general_path_calls):
    x = nt.tensor(_values((3, 4), 15), requires_grad=True)
    w = nt.tensor(_values((3, 4), 16), requires_grad=True)
    y = x * 1.0
    y.mul_(w)  # w's gradient reads y's old value: copied out of place first
    assert len(general_path_calls) == 1
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), _values((3, 4), 15), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), _values((3, 4), 16), rtol=1e-12)
    z = x * 1.0
    z.mul_(z.detach())  # the saved factor would be z's own, overwritten array
    assert len(general_path_calls) == 2


def test_mul_div_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (nt, torch):
        x = lib.tensor(_values((5, 6), 17), requires_grad=True)
        scale = lib.tensor(_values((6,), 18))
        y = x * 2.0
        y.mul_(scale)
        y /= 3.0
        y.div_(scale + 5.0)
        (y * y).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
