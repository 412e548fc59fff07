"""The autograd engine, grad modes, grad/gradcheck, hooks, version checks and memory behaviour (``autograd.Function``:
``test_autograd_function``)."""
import gc
import tracemalloc

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import autograd


def _t(values, **kw):
    return nt.tensor(values, dtype=nt.float64, **kw)


# ---- backward basics ---------------------------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls():
    x = _t([1.0, 2.0], requires_grad=True)
    (x * x).backward(_t([1.0, 1.0]))
    (x * 3).backward(_t([1.0, 1.0]))
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy() + 3)
    assert x.grad.dtype is nt.float64 and not x.grad.requires_grad


def test_broadcast_gradient_reduced_to_input_shape():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, 1)), rng.standard_normal((4,)), rng.standard_normal((2, 1, 1))
    ours = [nt.tensor(v, requires_grad=True) for v in (a, b, c)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b, c)]
    seed = rng.standard_normal((2, 3, 4))
    ((ours[0] + ours[1]) * ours[2]).backward(nt.tensor(seed))
    ((theirs[0] + theirs[1]) * theirs[2]).backward(torch.tensor(seed))
    for o, t in zip(ours, theirs):
        assert tuple(o.grad.shape) == tuple(t.grad.shape)
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy())


def test_same_tensor_used_twice_and_diamond():
    x = _t([3.0], requires_grad=True)
    y = x * 2
    z = y * y + y  # y reaches z through two paths
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 * (2 * 6.0 + 1)])


def test_deep_chain_has_no_recursion_limit():
    x = _t([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]


def test_second_backward_raises_and_retain_graph_allows_it():
    x = _t([2.0], requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [8.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_non_scalar_backward_needs_gradient():
    y = _t([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        y.backward(_t([1.0, 1.0, 1.0]))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        _t([1.0]).backward()


def test_int_and_float_inputs_mixed():
    x = _t([1.0, 2.0], requires_grad=True)
    (x * nt.tensor([3, 4])).backward(_t([1.0, 1.0]))
    assert x.grad.tolist() == [3.0, 4.0] and x.grad.dtype is nt.float64


def test_float32_input_float64_graph_casts_gradient_back():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    (x * _t([2.0, 2.0])).backward(_t([1.0, 1.0]))
    assert x.grad.dtype is nt.float32 and x.grad.tolist() == [2.0, 2.0]


def test_grad_fn_graph_inspection():
    torch = pytest.importorskip("torch")
    x = nt.ones(2, requires_grad=True)
    y = x * 2 + 1
    tx = torch.ones(2, requires_grad=True)
    ty = tx * 2 + 1
    assert y.grad_fn.name() == ty.grad_fn.name()
    assert y.grad_fn.next_functions[0][0].name() == ty.grad_fn.next_functions[0][0].name()
    leaf_node = y.grad_fn.next_functions[0][0].next_functions[0][0]
    assert leaf_node.name() == ty.grad_fn.next_functions[0][0].next_functions[0][0].name()
    assert leaf_node.variable is x
    assert not y.is_leaf and y.requires_grad and x.is_leaf


# ---- grad modes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("switch", ["no_grad", "inference_mode", "set_grad_enabled"])
def test_grad_mode_context_and_decorator(switch):
    make = {"no_grad": nt.no_grad, "inference_mode": nt.inference_mode,
            "set_grad_enabled": lambda: nt.set_grad_enabled(False)}[switch]
    x = nt.ones(2, requires_grad=True)
    with make():
        assert not nt.is_grad_enabled()
        y = x * 2
        with nt.enable_grad():
            assert nt.is_grad_enabled()
            z = x * 2
    assert nt.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @make()
    def f(t):
        return t * 2, nt.is_grad_enabled()

    assert nt.is_grad_enabled()  # decorating does not switch the mode
    out, enabled = f(x)
    assert not enabled and not out.requires_grad and nt.is_grad_enabled()


def test_set_grad_enabled_as_function_and_exceptions_restore_mode():
    nt.set_grad_enabled(False)
    try:
        assert not nt.is_grad_enabled()
    finally:
        nt.set_grad_enabled(True)
    assert nt.is_grad_enabled()
    with pytest.raises(ValueError):
        with nt.no_grad():
            raise ValueError
    assert nt.is_grad_enabled()
    with nt.inference_mode(False):
        assert nt.is_grad_enabled()


def test_enable_grad_decorator_inside_no_grad():
    @nt.enable_grad()
    def f(t):
        return t * 2

    with nt.no_grad():
        assert f(nt.ones(1, requires_grad=True)).requires_grad


# ---- autograd.grad -----------------------------------------------------------------------------------
def test_autograd_grad_returns_without_accumulating():
    x = _t([1.0, 2.0], requires_grad=True)
    w = _t([3.0, 5.0], requires_grad=True)
    y = x * w
    gx, gw = autograd.grad(y, (x, w), _t([1.0, 1.0]))
    assert gx.tolist() == [3.0, 5.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None and w.grad is None
    (gx_only,) = autograd.grad((x * x).sum() if hasattr(nt, "sum") else x * x, x,
                               None if hasattr(nt, "sum") else _t([1.0, 1.0]))
    assert gx_only.tolist() == [2.0, 4.0]


def test_autograd_grad_allow_unused():
    x = _t([1.0], requires_grad=True)
    unused = _t([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        autograd.grad(y, (x, unused), retain_graph=True)
    gx, gu = autograd.grad(y, (x, unused), allow_unused=True, retain_graph=True)
    assert gx.tolist() == [2.0] and gu is None
    gx, gu = autograd.grad(y, (x, unused), materialize_grads=True)
    assert gu.tolist() == [0.0]


def test_autograd_grad_of_intermediate():
    x = _t([2.0], requires_grad=True)
    h = x * 3
    y = h * h
    (gh,) = autograd.grad(y, h)
    assert gh.tolist() == [12.0]


def test_backward_inputs_argument():
    x = _t([1.0], requires_grad=True)
    w = _t([2.0], requires_grad=True)
    (x * w).backward(inputs=[w])
    assert w.grad.tolist() == [1.0] and x.grad is None


# ---- hooks and retain_grad ---------------------------------------------------------------------------
def test_register_hook_on_leaf_and_non_leaf():
    x = _t([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()))
    h = x * 2
    h.register_hook(lambda g: g * 10)  # replaces the gradient flowing on
    (h * 1).backward(_t([1.0, 1.0]))
    assert x.grad.tolist() == [20.0, 20.0] and seen == [[20.0, 20.0]]
    handle.remove()
    x.grad = None
    (x * 1).backward(_t([1.0, 1.0]))
    assert seen == [[20.0, 20.0]]
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        _t([1.0]).register_hook(lambda g: g)


def test_retain_grad():
    x = _t([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).backward(_t([1.0, 1.0]))
    assert h.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_retain_grad_idempotent_and_flag():
    x = _t([1.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    h.retain_grad()
    assert h.retains_grad
    (h * h).backward()
    assert h.grad.tolist() == [6.0]


# ---- in-place checks ---------------------------------------------------------------------------------
def test_inplace_on_saved_tensor_raises_version_error():
    torch = pytest.importorskip("torch")
    for mod in (nt, torch):
        a = mod.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        c = b * b
        b.mul_(2)
        with pytest.raises(RuntimeError) as err:
            c.backward(mod.ones(2))
        if mod is torch:
            expected = str(err.value)
        else:
            ours = str(err.value)
    head = "one of the variables needed for gradient computation has been modified by an inplace operation"
    assert ours.startswith(head) and expected.startswith(head)
    assert "is at version 1; expected version 0 instead" in ours


def test_inplace_on_leaf_requiring_grad_raises():
    w = nt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place "
                                           "operation."):
        w.add_(1)
    with nt.no_grad():
        w.add_(1)  # optimizers do this
    assert w.tolist() == [2.0, 2.0]


def test_inplace_on_non_leaf_is_differentiable():
    torch = pytest.importorskip("torch")
    results = []
    for mod in (nt, torch):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.add_(x)
        y.mul_(3)
        y.backward(mod.ones(2))
        results.append((x.grad.tolist(), y.grad_fn.name()))
    assert results[0] == results[1]


# ---- memory ------------------------------------------------------------------------------------------
def test_memory_flat_over_many_training_steps():
    w = nt.randn(16, 16, requires_grad=True)
    x = nt.randn(4, 16)
    seed = nt.ones(4, 16)

    def step():
        y = (x @ w) * 2 + 1
        y.backward(seed)
        with nt.no_grad():
            w.sub_(w.grad * 1e-3)
        w.grad = None

    for _ in range(200):
        step()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(500):
            step()
        gc.collect()
        first, _ = tracemalloc.get_traced_memory()
        for _ in range(2000):
            step()
        gc.collect()
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert second - first < 64 * 1024, f"memory grew by {second - first} bytes over 2000 steps"


def test_graph_freed_after_backward():
    import weakref
    x = nt.ones(1000, requires_grad=True)
    y = x * 2
    z = y * y
    node_ref = weakref.ref(y.grad_fn)
    z.backward(nt.ones(1000))
    del y, z
    gc.collect()
    assert node_ref() is None
