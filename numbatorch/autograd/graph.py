"""Graph nodes: one ``Node`` per recorded op, pointing at the tensors it consumed."""
import weakref

import numpy as np

from .._device import is_device_array


class Node:
    """Backward function of one op.

    ``inputs[i]`` is the i-th tensor input that requires grad, or None. Subclasses implement
    ``backward(grad)`` on numpy arrays, returning one array (or None) per input; the engine reduces
    broadcast gradients back to the input's shape and casts them to its dtype. Ops that support higher-order
    gradients also implement ``backward_graph(grad)``: the same formula on Tensors with numbatorch's own
    differentiable ops, which the engine runs under ``create_graph=True``.

    ``record`` makes nodes without calling ``__init__`` (it sets the fields below itself), so subclasses keep
    their state in slots that ``record``'s ``saved`` values fill, not in an ``__init__`` of their own.
    """

    __slots__ = ("inputs", "edges", "_saved_versions", "_released", "_pre_hooks", "__weakref__")
    num_outputs = 1
    # True for classes whose backward never reads an input's data, only its history, shape and dtype (add, tanh
    # from its output, sum, ...): ``record`` gives their nodes data-less stand-ins for large non-leaf inputs
    # (``_ops/_history_only.py``), so a graph keeps no more arrays alive than PyTorch's saved tensors.
    history_only_inputs = False
    # Whether ``backward`` applies PyTorch's complex-gradient convention itself; the engine runs the others (formulas
    # written for real numbers, right for holomorphic ops) through ``complex_backward``.
    complex_aware = False

    def __init__(self, inputs):
        self.set_inputs(inputs)
        self._saved_versions = None
        self._released = False
        self._pre_hooks = None

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        out = []
        for t, edge in zip(self.inputs, self.edges):
            if t is None:
                out.append((None, 0))
            elif edge[0] is not None:
                out.append(edge)
            else:
                out.append((AccumulateGrad(t), 0))
        return tuple(out)

    @property
    def needs_input_grad(self):
        return tuple(t is not None for t in self.inputs)

    def check_versions(self):
        for t, version in self._saved_versions:
            if t._version_counter[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.type()} {list(t.shape)}] is at version {t._version_counter[0]}; expected version "
                    f"{version} instead. Hint: the backtrace further above can point to the operation that "
                    "failed to compute its gradient.")

    def set_inputs(self, inputs):
        """Record the inputs and, as ``edges``, the history each had at this moment: ``(grad_fn, output_nr)``.

        The engine follows ``edges``, not the tensors' current ``grad_fn``, so an in-place op that later gives an
        input a new history does not change what this op's gradient flows into (as in PyTorch).
        """
        self.inputs = inputs
        for t in inputs:
            if t is not None and t._base is not None:
                refresh_stale_view(t)
        self.edges = tuple([None if t is None else (t.grad_fn, t._output_nr) for t in inputs])

    # The slots a subclass declares for saved values (its own and its bases' below Node), set per class.
    saved_slot_names = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.saved_slot_names = _declared_saved_slots(cls)

    def release(self):
        """Free what backward saved, so a graph that is no longer needed holds no memory."""
        for slot in self.saved_slot_names:
            setattr(self, slot, None)
        self._released = True

    def add_tensor_hook(self, output_nr, fn, retains_grad=False):
        """Hook on the gradient of this node's ``output_nr``-th output (``Tensor.register_hook`` on non-leaves);
        ``retains_grad``: ``Tensor.retain_grad``'s, which runs after every other, as in PyTorch (no handle)."""
        from ..utils.hooks import RemovableHandle
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, {})
        if retains_grad:
            hooks[_RETAINS_GRAD] = fn
            return None
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        if _RETAINS_GRAD in hooks:  # moved behind the new hook
            hooks[_RETAINS_GRAD] = hooks.pop(_RETAINS_GRAD)
        return handle

    def backward(self, grad):
        raise NotImplementedError


_RETAINS_GRAD = "retains_grad"
"""Key of ``Tensor.retain_grad``'s hook among a node output's tensor hooks (RemovableHandle ids are ints)."""


def refresh_stale_view(t):
    """Give view ``t`` the history of its base's later in-place change, before an op records ``t`` as input."""
    base = t._base
    if t.grad_fn is not None and base.grad_fn is not t._view_base_fn and base.grad_fn is not None:
        from ._copy_slices import refresh_view_history
        refresh_view_history(t)


_STRUCTURAL_SLOTS = ("__dict__", "__weakref__", "num_outputs")


def _declared_saved_slots(cls):
    """The slots a Node subclass declares for saved values."""
    slots = []
    for klass in cls.__mro__:
        if klass is Node:
            break
        slots.extend(s for s in getattr(klass, "__slots__", ()) if s not in _STRUCTURAL_SLOTS)
    return tuple(slots)


# node -> ids of its inputs that its own in-place form overwrote with its result (rare: a weak registry, so
# nodes carry no extra field)
_OVERWRITTEN = weakref.WeakKeyDictionary()


def mark_overwritten(node, tensor):
    """Record that the in-place op of ``node`` wrote its result into its input ``tensor``."""
    _OVERWRITTEN.setdefault(node, set()).add(id(tensor))


def complex_backward(node, grad):
    """``node.backward`` for a complex ``grad``, when it is a formula written for real numbers: ``grad * f'(z)``.

    PyTorch's gradient of a real loss through a holomorphic op is ``grad * conj(f'(z))``, which is
    ``conj(backward(conj(grad)))``; for ops with real coefficients (sums, views, real scaling) both agree.
    """
    grads = node.backward(np.conj(grad))
    if type(grads) is tuple:
        return tuple(None if g is None else np.conj(g) for g in grads)
    return np.conj(grads)


def operand(node, i, value):
    """Operand ``i`` of ``node`` for a differentiable backward (``backward_graph``).

    The recorded input Tensor when it requires grad, so the gradient formula is differentiable with respect to
    it; otherwise ``value``, what forward saved, as a constant (a Tensor for an array, a number as is).
    """
    t = node.inputs[i]
    if t is not None:
        if id(t) in _OVERWRITTEN.get(node, ()):
            # The array backward reads a snapshot; the Tensor itself now holds the op's result.
            raise NotImplementedError(f"create_graph=True is not supported yet through the in-place form of "
                                      f"{node.name()}: its input was overwritten by its result")
        return t
    if type(value) is np.ndarray or is_device_array(value):
        from .._tensor import Tensor
        return Tensor._make(value)
    return value


def recomputed_output(node, output, saved):
    """``output``, ``node``'s result recomputed from its inputs for a differentiable backward, checked against
    the result forward saved: an input changed in place since then would silently give another function."""
    if not np.array_equal(output._data, saved, equal_nan=True):
        raise NotImplementedError(f"create_graph=True is not supported yet for {node.name()} when its input was "
                                  "modified in place after the op used it")
    return output


def backward_with_constant_slopes(node, grad):
    """``node.backward_graph(grad)`` for an op whose gradient is ``grad`` times coefficients fixed by forward
    (the masks of relu, clamp, where and maximum; dropout's scale): the array backward run on ones gives them,
    and only ``grad`` carries a graph.
    """
    from .._tensor import Tensor
    slopes = node.backward(np.ones_like(grad._data))
    if type(slopes) is not tuple:
        return grad * Tensor._make(np.asarray(slopes, like=grad._data))
    return tuple(None if s is None else grad * Tensor._make(np.asarray(s, like=grad._data)) for s in slopes)


def with_zero_input_edges(node, grads):
    """``grads`` plus, for each input that requires grad, a zero depending on it.

    PyTorch's backward of relu-like ops, pooling, abs and l1 is differentiable with respect to the input with
    a zero derivative, so under ``create_graph`` that input (and what it depends on) gets a zero gradient rather
    than none; optimizers (Adam's moments) tell the two apart.
    """
    from .._ops._util import record
    single = type(grads) is not tuple
    grads = (grads,) if single else grads
    out = []
    for t, g in zip(node.inputs, grads):
        if t is not None and g is not None:
            g = g + record(np.zeros_like(t._data, dtype=g._data.dtype), _ZeroEdgeBackward, (t,))
        out.append(g)
    return out[0] if single else tuple(out)


class _ZeroEdgeBackward(Node):
    """A zero depending on a tensor: its gradient is zero (see ``with_zero_input_edges``)."""

    __slots__ = ()

    def backward(self, grad):
        return np.zeros_like(grad)

    def backward_graph(self, grad):
        return grad * 0


def backward_by_recompute(node, forward, saved, grad):
    """``node.backward_graph(grad)`` for a fused op: differentiate ``forward``, the same op composed of
    differentiable ops, applied again to the node's operands (``saved[i]`` is the constant for an input that
    does not require grad). Costs one more forward; only ``create_graph=True`` runs it.
    """
    from ._backward import grad as autograd_grad
    operands = [operand(node, i, value) for i, value in enumerate(saved)]
    wanted = [t for t in node.inputs if t is not None]
    outputs = forward(*operands)
    if type(outputs) is tuple:  # a multi-output node: only the outputs that received a gradient
        pairs = [(o, g) for o, g in zip(outputs, grad) if g is not None]
        outputs, grad = [o for o, _ in pairs], [g for _, g in pairs]
    grads = iter(autograd_grad(outputs, wanted, grad, create_graph=True, allow_unused=True))
    return tuple(None if t is None else next(grads) for t in node.inputs)


class AccumulateGrad:
    """Stand-in node shown in ``next_functions`` for a leaf tensor."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()
