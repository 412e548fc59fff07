"""A gradient that backward leaves undefined (a custom Function returning None, an output nothing used) still
reaches the hooks on its way as None, as in PyTorch: tensor hooks see None (and may not replace it), a leaf's
post-accumulate-grad hooks run with its ``.grad`` unchanged; ``backward(inputs=...)`` runs them too."""
import pytest

import numbatorch as nt


def _none_for_first(lib):
    class NoneForFirst(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 2 + b

        @staticmethod
        def backward(ctx, grad):
            return None, grad
    return NoneForFirst


def _logger(events, name):
    return lambda g: events.append((name, None if g is None else g.tolist()))


def _post_logger(events, name):
    return lambda t: events.append((name + "_post", None if t.grad is None else t.grad.tolist()))


def _leaf_given_none(lib, events):
    a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
    for t, name in ((a, "a"), (b, "b")):
        t.register_hook(_logger(events, name))
        t.register_post_accumulate_grad_hook(_post_logger(events, name))
    _none_for_first(lib).apply(a, b).sum().backward()


def _leaf_with_grad_given_none(lib, events):
    a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
    a.grad = lib.full((3,), 4.0)
    a.register_post_accumulate_grad_hook(_post_logger(events, "a"))
    _none_for_first(lib).apply(a, b).sum().backward()


def _non_leaf_given_none(lib, events):
    a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
    c = a * 1
    c.retain_grad()
    c.register_hook(_logger(events, "c"))
    a.register_hook(_logger(events, "a"))
    a.register_post_accumulate_grad_hook(_post_logger(events, "a"))
    _none_for_first(lib).apply(c, b).sum().backward()
    events.append(("c.grad", c.grad))


def _unused_output(lib, events):
    first, second = lib.ones(2, 3, requires_grad=True).unbind()
    second.register_hook(_logger(events, "second"))
    first.register_hook(_logger(events, "first"))
    first.sum().backward()


def _backward_inputs(lib, events):
    a, b, unused = (lib.ones(3, requires_grad=True) for _ in range(3))
    for t, name in ((a, "a"), (b, "b"), (unused, "unused")):
        t.register_hook(_logger(events, name))
        t.register_post_accumulate_grad_hook(_post_logger(events, name))
    _none_for_first(lib).apply(a, b * 3).sum().backward(inputs=[a, b, unused])


def _grad_of_leaf_given_none(lib, events):
    a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
    a.register_hook(_logger(events, "a"))
    grads = lib.autograd.grad(_none_for_first(lib).apply(a, b).sum(), [a, b], allow_unused=True)
    events.append(("grads", [None if g is None else g.tolist() for g in grads]))


@pytest.mark.parametrize("scenario", [_leaf_given_none, _leaf_with_grad_given_none, _non_leaf_given_none,
                                      _unused_output, _backward_inputs, _grad_of_leaf_given_none],
                         ids=lambda f: f.__name__.strip("_"))
def test_hooks_see_undefined_gradients_like_pytorch(scenario):
    torch = pytest.importorskip("torch")
    ours, theirs = [], []
    scenario(nt, ours)
    scenario(torch, theirs)
    assert ours == theirs


@pytest.mark.parametrize("lib_name", ["numbatorch", "torch"])
def test_a_hook_may_not_replace_an_undefined_gradient(lib_name):
    lib = nt if lib_name == "numbatorch" else pytest.importorskip("torch")
    a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
    a.register_hook(lambda g: lib.ones(3))
    with pytest.raises(RuntimeError, match="can't replace a None gradient with a non-None value"):
        _none_for_first(lib).apply(a, b).sum().backward()
