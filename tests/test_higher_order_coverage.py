"""Every graph node has a differentiable backward (``backward_graph``, run under ``create_graph=True``) except the
ones listed here: a new node without one fails this test."""
import importlib
import pkgutil

import numbatorch
from numbatorch.autograd.graph import Node

# PyTorch cannot differentiate these twice either (the reason is its error message).
NO_DOUBLE_BACKWARD_IN_PYTORCH = {
    "numbatorch._ops.rounding.NotImplemented": "derivative for aten::heaviside is not implemented",
    "numbatorch._ops.sorting.Unique2Backward0": "the derivative for '_unique2' is not implemented.",
    "numbatorch._ops.sorting.UniqueDimBackward0": "the derivative for 'unique_dim' is not implemented.",
    "numbatorch._ops.sorting.UniqueConsecutiveBackward0": "the derivative for 'unique_consecutive' is not "
                                                          "implemented.",
    "numbatorch._ops.sorting._NotDifferentiable": "the base of the three above",
    "numbatorch.nn.functional.ctc.CtcLossBackward0": "derivative for aten::_ctc_loss_backward is not implemented",
}

# Complex-valued ops, new and without a differentiable backward yet (PyTorch has one).
NOT_YET = {
    "numbatorch._ops.complex_ops.PolarBackward0",
    "numbatorch._ops.complex_ops.AngleBackward0",
    "numbatorch._ops.eig.LinalgEigBackward0",
    "numbatorch._ops.eig.LinalgEigvalsBackward0",
}

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
    assert missing - set(NO_DOUBLE_BACKWARD_IN_PYTORCH) - NOT_YET == set()
    assert set(NO_DOUBLE_BACKWARD_IN_PYTORCH) - set(classes) == set()  # renamed or removed: update the list
    listed = set(NO_DOUBLE_BACKWARD_IN_PYTORCH) | NOT_YET
    assert {name for name in listed if name in classes and not _lacks_backward_graph(classes[name])} == set()
