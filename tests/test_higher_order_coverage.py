"""Every graph node has a differentiable backward (``backward_graph``, run under ``create_graph=True``) except the
ones listed here: a new node without one fails this test.

Where PyTorch has no derivative (heaviside, unique, the NotImplemented nodes) or no double backward (ctc_loss),
``backward_graph`` raises PyTorch's error, at the same step as PyTorch."""
import importlib
import pkgutil

import numpy as np
import pytest

import numbatorch
from numbatorch.autograd.graph import Node

# Nodes without a differentiable backward yet (PyTorch has one).
NOT_YET = set()

_OPTIONAL = ("numbatorch.backends.cuda", "numbatorch.__main__")  # need cupy / run as a program


def _node_classes():
    for info in pkgutil.walk_packages(numbatorch.__path__, "numbatorch."):
        if not info.name.startswith(_OPTIONAL):
            importlib.import_module(info.name)
    stack, seen = [Node], set()
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return {f"{c.__module__}.{c.__qualname__}": c for c in seen if c.__module__.startswith("numbatorch.")}


def _lacks_backward_graph(cls):
    return getattr(cls, "backward_graph", None) is None


def _is_abstract(cls):
    """A base of other nodes that has no backward of its own."""
    return cls.backward is Node.backward


def test_every_node_has_a_differentiable_backward():
    classes = _node_classes()
    missing = {name for name, cls in classes.items() if _lacks_backward_graph(cls) and not _is_abstract(cls)}
    assert missing - NOT_YET == set()
    assert {name for name in NOT_YET if name in classes and not _lacks_backward_graph(classes[name])} == set()


def _ctc(lib, x):
    return lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 4]),
                                      lib.tensor([2, 2]))


@pytest.mark.parametrize("fn,first_order_fails", [
    (lambda lib, x: lib.heaviside(x, lib.tensor(0.5, dtype=x.dtype)), True),
    (lambda lib, x: lib.unique(x), True),
    (lambda lib, x: lib.linalg.ldl_factor(x[0, :2, :2] + x[0, :2, :2].mT).LD, True),
    (_ctc, False),
], ids=["heaviside", "unique", "ldl_factor", "ctc_loss"])
def test_no_double_backward_raises_like_torch(fn, first_order_fails):
    """Where PyTorch has no (double) derivative, create_graph=True raises its error at the same step."""
    torch = pytest.importorskip("torch")
    x0 = np.random.default_rng(0).standard_normal((5, 2, 4))
    errors = []
    for lib in (numbatorch, torch):
        x = lib.tensor(x0, requires_grad=True)
        with pytest.raises((RuntimeError, NotImplementedError)) as info:
            g, = lib.autograd.grad(fn(lib, x).sum(), x, create_graph=True)
            assert not first_order_fails
            (g * g).sum().backward()
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]
