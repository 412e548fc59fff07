"""``autograd.Function``: custom forward/backward, multiple outputs, saved tensors, ``mark_dirty``, gradcheck."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import autograd


def _t(values, **kw):
    return nt.tensor(values, dtype=nt.float64, **kw)


class _Cube(autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * ctx.scale, None


class _WrongCube(_Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x * x * ctx.scale, None  # deliberately wrong


class _SplitSum(autograd.Function):
    """Two outputs, two inputs: (a + b, a * b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.seen = ctx.needs_input_grad
        return a + b, a * b

    @staticmethod
    def backward(ctx, g_sum, g_prod):
        a, b = ctx.saved_tensors
        ga = g_sum + g_prod * b if ctx.needs_input_grad[0] else None
        gb = g_sum + g_prod * a if ctx.needs_input_grad[1] else None
        return ga, gb


def test_function_forward_backward_and_gradcheck():
    x = _t([0.5, -1.5, 2.0], requires_grad=True)
    y = _Cube.apply(x, 2.0)
    assert y.grad_fn is not None and y.requires_grad
    y.backward(_t([1.0, 1.0, 1.0]))
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy() ** 2)
    assert autograd.gradcheck(lambda t: _Cube.apply(t, 2.0), (_t([0.5, -1.5], requires_grad=True),))


def test_gradcheck_detects_a_wrong_backward():
    x = _t([0.5, -1.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        autograd.gradcheck(lambda t: _WrongCube.apply(t, 1.0), (x,))
    assert autograd.gradcheck(lambda t: _WrongCube.apply(t, 1.0), (x,), raise_exception=False) is False


def test_function_multiple_outputs_and_needs_input_grad():
    a = _t([1.0, 2.0], requires_grad=True)
    b = _t([3.0, 4.0])
    s, p = _SplitSum.apply(a, b)
    assert s.grad_fn is p.grad_fn and (s.output_nr, p.output_nr) == (0, 1)
    (s * 2 + p).backward(_t([1.0, 1.0]))
    np.testing.assert_allclose(a.grad.numpy(), 2 + b.numpy())
    assert s.grad_fn.ctx.seen == (True, False)
    # only one output used: the other's gradient arrives as zeros
    a.grad = None
    _, p = _SplitSum.apply(a, b)
    p.backward(_t([1.0, 1.0]))
    np.testing.assert_allclose(a.grad.numpy(), b.numpy())


def test_function_without_grad_inputs_records_nothing():
    out = _Cube.apply(_t([1.0]), 1.0)
    assert out.grad_fn is None and not out.requires_grad
    with nt.no_grad():
        assert _Cube.apply(_t([1.0], requires_grad=True), 1.0).grad_fn is None


def test_function_saved_tensor_modified_in_place():
    x = _t([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = _Cube.apply(h, 1.0)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(_t([1.0, 1.0]))



class _AddOneInPlace(autograd.Function):
    """Modifies its input in place and returns it (``mark_dirty``)."""

    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_function_mark_dirty_keeps_the_input_history():
    torch = pytest.importorskip("torch")

    class TorchAddOneInPlace(torch.autograd.Function):
        forward = staticmethod(_AddOneInPlace.forward)
        backward = staticmethod(_AddOneInPlace.backward)

    values = [0.5, -1.5, 2.0]
    a, ta = _t(values, requires_grad=True), torch.tensor(values, dtype=torch.float64, requires_grad=True)
    out, t_out = _AddOneInPlace.apply(a * 3), TorchAddOneInPlace.apply(ta * 3)
    (out * out).sum().backward()
    (t_out * t_out).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy())
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        _AddOneInPlace.apply(a)


def test_gradcheck_skips_outputs_that_do_not_require_grad():
    # the checked output is the second one; the first is a float tensor outside the graph
    x = _t([0.5, -1.5], requires_grad=True)
    assert autograd.gradcheck(lambda t: (t.detach() * 2, _Cube.apply(t, 1.0)), (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        autograd.gradcheck(lambda t: (t.detach() * 2, _WrongCube.apply(t, 1.0)), (x,))
