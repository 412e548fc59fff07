"""``retain_grad`` and ``backward(inputs=...)`` on non-leaf tensors as in PyTorch: a non-leaf input retains its
gradient (hooks applied once, never added twice), retain_grad's hook runs after the tensor's other hooks, and
under ``create_graph`` the retained gradient keeps its graph."""
import pytest

import numbatorch as nt


def _inputs_non_leaf_retaining(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * 2
    c.retain_grad()
    (c * c).sum().backward(inputs=[c])
    return c.grad.tolist(), c.retains_grad, a.grad


def _inputs_non_leaf_with_hook(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * 2
    c.register_hook(lambda g: g * 10)
    (c * 3).sum().backward(inputs=[c, a])
    return c.grad.tolist(), c.retains_grad, a.grad.tolist()


def _retain_grad_before_a_hook(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * 2
    c.retain_grad()
    handle = c.register_hook(lambda g: g * 10)
    c.sum().backward(retain_graph=True)
    first = c.grad.tolist()
    handle.remove()
    c.sum().backward()
    return first, c.grad.tolist(), a.grad.tolist()


def _retained_under_create_graph(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * a
    c.retain_grad()
    (c * c).sum().backward(create_graph=True)
    retained = c.grad
    (second,) = lib.autograd.grad(retained.sum(), a)
    return retained.tolist(), retained.requires_grad, second.tolist()


def _inputs_under_create_graph(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * a
    (c * c * c).sum().backward(inputs=[c], create_graph=True)
    (second,) = lib.autograd.grad(c.grad.sum(), a)
    return c.grad.tolist(), c.retains_grad, second.tolist()


@pytest.mark.parametrize("scenario", [_inputs_non_leaf_retaining, _inputs_non_leaf_with_hook,
                                      _retain_grad_before_a_hook, _retained_under_create_graph,
                                      _inputs_under_create_graph], ids=lambda f: f.__name__.strip("_"))
def test_retained_gradients_like_pytorch(scenario):
    torch = pytest.importorskip("torch")
    assert scenario(nt) == scenario(torch)


@pytest.mark.parametrize("call", ["retain_grad", "backward_inputs", "backward_no_inputs"])
def test_retain_grad_errors_like_pytorch(call):
    torch = pytest.importorskip("torch")

    def error(lib):
        a, x = lib.ones(3, requires_grad=True), lib.ones(3)
        calls = {"retain_grad": x.retain_grad, "backward_inputs": lambda: (a * x).sum().backward(inputs=[x]),
                 "backward_no_inputs": lambda: (a * x).sum().backward(inputs=[])}
        with pytest.raises(RuntimeError) as info:
            calls[call]()
        return str(info.value)
    assert error(nt) == error(torch)
