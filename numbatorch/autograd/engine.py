"""Reverse-mode engine: walks the graph iteratively in dependency order and accumulates gradients."""
import numpy as np

from . import anomaly_mode, grad_mode


def reduce_to_shape(grad, shape):
    """Sum a broadcast gradient back to the shape of the input it belongs to."""
    if grad.shape == shape:
        return grad
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
    """Number of consumers of each node reachable from ``roots`` (iterative: graphs can be very deep)."""
    deps = {}
    seen = set()
    stack = list(roots)
    for node in roots:
        seen.add(node)
    while stack:
        node = stack.pop()
        for edge in node.edges:
            child = None if edge is None else edge[0]
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps


def _add(buffer, value):
    return value if buffer is None else buffer + value


def run_backward(tensors, grads, retain_graph=False, inputs=None, allow_unused=False):
    """Backpropagate ``grads`` (numpy arrays) from ``tensors``.

    With ``inputs=None`` gradients are accumulated into the ``.grad`` of leaf tensors. Otherwise nothing is
    accumulated and the gradients of ``inputs`` are returned as a list of arrays (None where unused).
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

    deps = _topological_dependencies(roots)
    ready = [n for n in roots if deps.get(n, 0) == 0]
    with grad_mode.no_grad():
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
            if any(g is not None for g in out_grads):
                if node._saved_versions:
                    node.check_versions()
                if anomaly_mode._state.enabled:
                    in_grads = anomaly_mode.checked_backward(node, out_grads)
                else:
                    in_grads = node.backward(out_grads[0] if node.num_outputs == 1 else out_grads)
                    if type(in_grads) is not tuple:
                        in_grads = (in_grads,)
            else:
                in_grads = (None,) * len(node.inputs)
            if not retain_graph:
                node.release()
            for t, edge, g in zip(node.inputs, node.edges, in_grads):
                if t is None:
                    continue
                if g is not None:
                    g = np.asarray(g)
                    if g.shape != t._data.shape:
                        g = reduce_to_shape(g, t._data.shape)
                    if g.dtype != t._data.dtype:
                        g = g.astype(t._data.dtype)
                child, output_nr = edge
                if child is None:
                    if g is not None:
                        entry = leaf_grads.setdefault(id(t), [t, None])
                        entry[1] = _add(entry[1], g)
                    continue
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * child.num_outputs
                if g is not None:
                    buf[output_nr] = _add(buf[output_nr], g)
                deps[child] -= 1
                if deps[child] == 0:
                    ready.append(child)

    if capture is not None:
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

    for t, g in leaf_grads.values():
        g = _apply_hooks(t, g)
        t._accumulate_grad(g)
    return None


def _apply_hooks(t, g):
    hooks = t._backward_hooks
    if hooks:
        from .._tensor import Tensor
        for hook in list(hooks.values()):
            new = hook(Tensor._make(g))
            if new is not None:
                g = new._data
    return g


def _run_tensor_hooks(node, out_grads):
    """Hooks registered on non-leaf tensors see (and may replace) their total gradient."""
    from .._tensor import Tensor
    out_grads = list(out_grads)
    for output_nr, hooks in node._pre_hooks.items():
        g = out_grads[output_nr]
        if g is None:
            continue
        for hook in list(hooks.values()):
            new = hook(Tensor._make(g))
            if new is not None:
                g = new._data
        out_grads[output_nr] = g
    return out_grads


def _capture_outputs(node, out_grads, capture, inputs):
    for t in inputs:
        if t.grad_fn is node and id(t) in capture:
            capture[id(t)] = out_grads[t._output_nr]
