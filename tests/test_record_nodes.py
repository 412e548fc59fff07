"""``record`` makes every graph node without ``Node.__init__`` (a per-op cost): it must set the same fields, and
no node class may keep state in an ``__init__`` of its own, which ``record`` would never run."""
import numpy as np

import numbatorch as nt
from numbatorch._ops._util import record
from numbatorch.autograd.graph import Node

from .test_higher_order_coverage import _node_classes


class _Probe(Node):
    __slots__ = ()

    def backward(self, grad):
        raise NotImplementedError


def _fields(node):
    return {slot: getattr(node, slot) for slot in Node.__slots__ if slot != "__weakref__"}


def test_record_sets_the_fields_node_init_sets():
    leaf = nt.ones(3, requires_grad=True)
    inner = leaf * 2
    stale_view = inner[1:]
    inner.mul_(3)  # the view's history is refreshed from its base by whichever makes a node first
    constant = nt.ones(3)
    for inputs in [(leaf,), (inner,), (stale_view,), (leaf, 2.0), (constant, inner, stale_view), (inner, inner)]:
        made = record(np.zeros(3), _Probe, inputs).grad_fn
        built = _Probe(tuple(t if isinstance(t, nt.Tensor) and t.requires_grad else None for t in inputs))
        assert type(made) is _Probe
        assert _fields(made) == _fields(built)


def test_no_node_class_defines_an_init():
    assert sorted(name for name, cls in _node_classes().items() if "__init__" in vars(cls)) == []


def test_node_classes_keep_their_state_in_slots():
    """A subclass without ``__slots__`` of its own gives every node a ``__dict__`` (memory, slower attributes)."""
    def has_dict(cls):
        return any("__slots__" not in vars(k) or "__dict__" in vars(k)["__slots__"] for k in cls.__mro__[:-1])
    assert sorted(name for name, cls in _node_classes().items() if has_dict(cls)) == []
