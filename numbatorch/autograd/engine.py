"""Reverse-mode engine: walks the graph iteratively in dependency order and accumulates gradients."""
import numpy as np

from . import anomaly_mode, grad_mode, post_accumulate_hooks
from ._grad_buffer import held_only_by, sum_into
from .graph import complex_backward
from .. import _dtype as dt
from ..backends.cpu._broadcast_sums import sum_to
from .._device import is_device_array


def reduce_to_shape(grad, shape):
    """Sum a broadcast gradient back to the shape of the input it belongs to (a large float one in one pass on
    Numba's threads, ``_broadcast_sums``)."""
    if grad.shape == shape:
        return grad
    summed = sum_to(grad, shape)
    if summed is not None:
        return summed
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if grad.shape != shape:
        grad = np.broadcast_to(grad, shape)
    return grad


def _topological_dependencies(roots):
    """Number of consumers of each node reachable from ``roots`` (iterative: graphs can be very deep), and of
    each leaf tensor (by id), so a leaf's gradient is final as soon as its last consumer ran."""
    deps = {}
    leaf_deps = {}
    on_stack = set(roots) if len(roots) > 1 else ()  # a root reached from another root is on the stack already
    stack = list(roots)
    while stack:
        node = stack.pop()
        for k, edge in enumerate(node.edges):
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                key = id(node.inputs[k])
                leaf_deps[key] = leaf_deps.get(key, 0) + 1
            elif child in deps:
                deps[child] += 1
            else:
                deps[child] = 1
                if child not in on_stack:
                    stack.append(child)
    return deps, leaf_deps


def _add(buffer, value):
    return value if buffer is None else buffer + value


def run_backward(tensors, grads, retain_graph=False, inputs=None, allow_unused=False, create_graph=False,
                 accumulate=False):
    """Backpropagate ``grads`` (numpy arrays) from ``tensors``.

    With ``inputs=None`` gradients are accumulated into the ``.grad`` of leaf tensors. Otherwise the gradients
    of ``inputs`` are returned as a list of arrays (None where unused), or with ``accumulate``
    (``backward(inputs=...)``, whose non-leaf inputs retain their gradients) accumulated into their ``.grad`` alone.

    As in PyTorch, a gradient that an op's backward leaves undefined (None) still reaches the tensor hooks on its
    way, as None, and a leaf reached only by such gradients still runs its post-accumulate-grad hooks.

    With ``create_graph=True`` ``grads`` and every gradient are Tensors computed by each node's
    ``backward_graph`` under grad mode, so the gradients have a graph of their own (higher-order gradients).
    """
    capture = None if inputs is None else {id(t): None for t in inputs}
    leaf_grads = {}  # id -> [tensor, summed grad]
    buffers = {}
    roots = []
    for t, g in zip(tensors, grads):
        if t.grad_fn is None:
            if not t.requires_grad:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            entry = leaf_grads.setdefault(id(t), [t, None])
            entry[1] = _add(entry[1], g)
            continue
        node = t.grad_fn
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.num_outputs
            roots.append(node)
        buf[t._output_nr] = _add(buf[t._output_nr], g)

    deps, leaf_deps = _topological_dependencies(roots)
    # A differentiable backward builds a graph: skip the nodes that lead to none of ``inputs`` (they may have no
    # backward_graph at all, e.g. the history of a non-leaf input).
    needed = _leading_to(roots, inputs) if create_graph and inputs is not None else None
    # A single root is ready (the graph is acyclic); of several, those no other root leads to.
    ready = list(roots) if len(roots) == 1 else [n for n in roots if deps.get(n, 0) == 0]
    anomaly = anomaly_mode._state
    mode = grad_mode._state
    grad_was_enabled, mode.enabled = mode.enabled, bool(create_graph)
    try:
        while ready:
            node = ready.pop()
            if node._released:
                raise RuntimeError(
                    "Trying to backward through the graph a second time (or directly access saved tensors after "
                    "they have already been freed). Saved intermediate values of the graph are freed when you call "
                    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                    "graph a second time or if you need to access saved tensors after calling backward.")
            out_grads = buffers.pop(node)
            if node._pre_hooks:
                out_grads = _run_tensor_hooks(node, out_grads)
            if capture is not None:
                _capture_outputs(node, out_grads, capture, inputs)
            single = len(out_grads) == 1
            if out_grads[0] is not None if single else any(g is not None for g in out_grads):
                if node._saved_versions:
                    node.check_versions()
                if create_graph:
                    in_grads = _graph_backward(node, out_grads) if needed is None or needed[node] else \
                        (None,) * len(node.inputs)
                elif anomaly.enabled:
                    in_grads = anomaly_mode.checked_backward(node, out_grads)
                elif single:
                    grad = out_grads[0]
                    if grad.dtype.kind == "c" and not node.complex_aware:
                        in_grads = complex_backward(node, grad)
                    else:
                        in_grads = node.backward(grad)
                else:
                    in_grads = node.backward(out_grads)
            else:
                in_grads = (None,) * len(node.inputs)
            if not retain_graph:
                node.release()
            # Only ``in_grads`` may hold the gradients now, so sum_into can write into those nobody else holds.
            out_grads = grad = None
            in_grads = list(in_grads) if type(in_grads) is tuple else [in_grads]
            node_inputs, edges = node.inputs, node.edges
            for k in range(len(node_inputs)):
                t = node_inputs[k]
                if t is None:
                    continue
                g = in_grads[k]
                in_grads[k] = None
                child, output_nr = edges[k]
                if g is None:
                    pass
                elif create_graph:
                    g = _fit_graph_grad(g, t, child is None)
                else:
                    data = t._data
                    if type(g) is not np.ndarray and not is_device_array(g):
                        g = np.asarray(g, like=data)  # a scalar (numpy's element reads) on the input's device
                    if g.shape != data.shape:
                        g = reduce_to_shape(g, data.shape)
                    # A leaf's gradient takes its grad_dtype (unset: its dtype; None: the gradient's own).
                    want = data.dtype if child is not None else leaf_grad_np_dtype(t)
                    if g.dtype is not want and want is not None and g.dtype != want:
                        # A real input of a complex op gets the real part of its gradient, as in PyTorch.
                        if g.dtype.kind == "c" and want.kind != "c":
                            g = g.real
                        g = g.astype(want)
                if child is None:
                    key = id(t)
                    left = leaf_deps[key] = leaf_deps[key] - 1
                    # Final after its last consumer: accumulated now, as PyTorch's AccumulateGrad does, so .grad
                    # hooks (e.g. DDP's bucketed all-reduces) run while the rest of backward is still going.
                    final = left == 0 and capture is None
                    entry = leaf_grads.pop(key, None) if final else leaf_grads.get(key)
                    if entry is None:
                        entry = [t, g]
                        if not final:
                            leaf_grads[key] = entry
                    elif g is None:
                        pass
                    elif entry[1] is None:
                        entry[1] = g
                    elif create_graph:
                        entry[1] = _add(entry[1], g)
                    else:
                        sum_into(entry, 1, g)
                    g = None
                    if final:
                        _finish_leaf(entry, create_graph)
                    continue
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * child.num_outputs
                if g is None:
                    pass
                elif buf[output_nr] is None:
                    buf[output_nr] = g
                elif create_graph:
                    buf[output_nr] = _add(buf[output_nr], g)
                else:
                    sum_into(buf, output_nr, g)
                left = deps[child] = deps[child] - 1
                if left == 0:
                    ready.append(child)
    finally:
        mode.enabled = grad_was_enabled

    if capture is not None:
        if accumulate:  # backward(inputs=...): the leaves among inputs; non-leaf ones retain their gradients
            for entry in list(leaf_grads.values()):
                if id(entry[0]) in capture:
                    _finish_leaf(entry, create_graph)
            return None
        for t, g in leaf_grads.values():
            if id(t) in capture:
                capture[id(t)] = _apply_hooks(t, g)
        result = [capture[id(t)] for t in inputs]
        if not allow_unused:
            for t, g in zip(inputs, result):
                if g is None:
                    raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                                       "graph. Set allow_unused=True if this is the desired behavior.")
        return result

    for entry in list(leaf_grads.values()):
        _finish_leaf(entry, create_graph)
    return None


class _OwnDtype:
    """Type of ``OWN_DTYPE``."""

    __slots__ = ()

    def __repr__(self):
        return "OWN_DTYPE"


OWN_DTYPE = _OwnDtype()
"""A Tensor's ``_grad_dtype`` when ``grad_dtype`` was never set: its gradients take its own dtype."""


def leaf_grad_np_dtype(t):
    """The numpy dtype that gradients of leaf ``t`` are cast to: its ``grad_dtype`` (unset: its own; None: keep)."""
    want = t._grad_dtype
    return t._data.dtype if want is OWN_DTYPE else want


def _finish_leaf(entry, create_graph):
    """Run a leaf's gradient hooks on its total gradient ``entry = [leaf, gradient]`` and accumulate the result
    into ``.grad`` (without a copy when the engine holds the only reference to the gradient); a None gradient
    leaves ``.grad`` as it is."""
    t = entry[0]
    if t._backward_hooks:
        g = _apply_hooks(t, entry[1])
        if g is not None:
            if create_graph:
                accumulate_graph_grad(t, g)
            else:
                t._accumulate_grad(g)
    elif entry[1] is None:
        pass
    elif create_graph:
        accumulate_graph_grad(t, entry[1])
    else:
        owned = held_only_by(entry, 1)
        t._accumulate_grad(entry[1], owned)
    post_accumulate_hooks.run(t)


def _leading_to(roots, inputs):
    """For each node reachable from ``roots``: whether its backward leads to one of ``inputs`` (iterative DFS)."""
    leaves = {id(t) for t in inputs if t.grad_fn is None}
    input_nodes = {t.grad_fn for t in inputs if t.grad_fn is not None}
    needed = {}
    stack = [(node, False) for node in roots]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            if node in needed:
                continue
            needed[node] = False
            stack.append((node, True))
            stack.extend((edge[0], False) for edge in node.edges
                         if edge is not None and edge[0] is not None and edge[0] not in needed)
            continue
        for t, edge in zip(node.inputs, node.edges):
            if t is None:
                continue
            child = edge[0]
            if (id(t) in leaves) if child is None else (child in input_nodes or needed[child]):
                needed[node] = True
                break
    return needed


def _graph_backward(node, out_grads):
    """``node``'s differentiable backward step (as a tuple of Tensors or None), for ``create_graph=True``."""
    backward_graph = getattr(node, "backward_graph", None)
    if backward_graph is None:
        raise NotImplementedError(
            f"create_graph=True is not supported yet for {node.name()}: numbatorch has no differentiable "
            "backward for this op, so its gradient cannot be differentiated again")
    if node.num_outputs == 1 and out_grads[0]._data.dtype.kind == "c" and not node.complex_aware:
        # A formula written for real numbers, as in complex_backward: conj(backward(conj(grad))).
        in_grads = backward_graph(out_grads[0].conj())
        in_grads = in_grads if type(in_grads) is tuple else (in_grads,)
        return tuple(None if g is None else g.conj() for g in in_grads)
    in_grads = backward_graph(out_grads[0] if node.num_outputs == 1 else tuple(out_grads))
    return in_grads if type(in_grads) is tuple else (in_grads,)


def _fit_graph_grad(g, t, leaf):
    """A Tensor gradient summed back to ``t``'s broadcast shape and cast to its dtype (a leaf: its grad_dtype),
    differentiably."""
    shape = t._data.shape
    if g._data.shape != shape:
        extra = g.dim() - len(shape)
        if extra > 0:
            g = g.sum(dim=tuple(range(extra)))
        dims = tuple(i for i, s in enumerate(shape) if s == 1 and g._data.shape[i] != 1)
        if dims:
            g = g.sum(dim=dims, keepdim=True)
        if g._data.shape != shape:
            g = g.expand(shape)
    want = leaf_grad_np_dtype(t) if leaf else t._data.dtype
    if want is not None and g._data.dtype != want:
        if g._data.dtype.kind == "c" and want.kind != "c":
            g = g.real  # a real input of a complex op gets the real part of its gradient, as in PyTorch
        g = g.to(dt._BY_NP[want])
    return g


def accumulate_graph_grad(t, g):
    """``t.grad`` (+)= ``g`` out of place, so the accumulated gradient keeps ``g``'s graph (as PyTorch does)."""
    from .._tensor import _grad_accumulation
    with _grad_accumulation:
        t._grad = g if t._grad is None else t._grad + g


def _apply_hooks(t, g):
    hooks = t._backward_hooks
    if hooks:
        for hook in list(hooks.values()):
            g = _run_hook(hook, g)
    return g


def _run_hook(hook, g):
    """``hook`` on gradient ``g``: an array (host or device, wrapped for the hook), under ``create_graph`` a
    Tensor, or None (an undefined gradient, which the hook may not replace)."""
    from .._tensor import Tensor
    if g is None:
        if hook(None) is not None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        return None
    if isinstance(g, Tensor):
        new = hook(g)
        return g if new is None else new
    new = hook(Tensor._make(g))
    return g if new is None else new._data


def _run_tensor_hooks(node, out_grads):
    """Hooks registered on non-leaf tensors see (and may replace) their total gradient."""
    out_grads = list(out_grads)
    for output_nr, hooks in node._pre_hooks.items():
        g = out_grads[output_nr]
        for hook in list(hooks.values()):
            g = _run_hook(hook, g)
        out_grads[output_nr] = g
    return out_grads


def _capture_outputs(node, out_grads, capture, inputs):
    for t in inputs:
        if t.grad_fn is node and id(t) in capture:
            capture[id(t)] = out_grads[t._output_nr]
