"""``autograd.backward`` and ``autograd.grad``: the user-facing entry points to the engine."""
import numpy as np

from .engine import leaf_grad_np_dtype, run_backward


def _as_list(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _grad_np_dtype(t):
    """The dtype of ``t``'s gradient: a leaf's grad_dtype (None: the gradient's own), else ``t``'s dtype."""
    return leaf_grad_np_dtype(t) if t.grad_fn is None else t._data.dtype


def _ones_like(data):
    if type(data) is not np.ndarray:
        return np.ones_like(data)  # on the data's device
    if data.ndim == 0:
        return np.array(1, data.dtype)  # a scalar loss: half the time of empty + fill
    ones = np.empty(data.shape, data.dtype)  # 3x faster than np.ones_like: a loss.backward() per training step
    ones.fill(1)
    return ones


def _initial_grads(tensors, grad_tensors):
    grads = []
    for i, t in enumerate(tensors):
        g = grad_tensors[i] if grad_tensors is not None and i < len(grad_tensors) else None
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(_ones_like(t._data))
        else:
            arr = g._data if hasattr(g, "_data") else np.asarray(g, dtype=t._data.dtype, like=t._data)
            want = _grad_np_dtype(t)
            if want is not None and arr.dtype != want:
                arr = arr.astype(want)
            if arr.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {_sz(arr.shape)} and "
                                   f"output[{i}] has a shape of {_sz(t._data.shape)}.")
            grads.append(arr)
    return grads


def _initial_graph_grads(tensors, grad_tensors):
    """The seeds of a ``create_graph=True`` backward as Tensors: a given Tensor seed keeps its own graph."""
    from .._tensor import Tensor
    seeds = []
    arrays = _initial_grads(tensors, grad_tensors)
    for i, arr in enumerate(arrays):
        g = grad_tensors[i] if grad_tensors is not None and i < len(grad_tensors) else None
        if isinstance(g, Tensor):
            seeds.append(g if g.dtype == tensors[i].dtype else g.to(tensors[i].dtype))
        else:
            seeds.append(Tensor._make(arr))
    return seeds


def _sz(shape):
    return f"numbatorch.Size({list(shape)})"


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of graph leaves.

    ``create_graph=True`` records the backward pass itself, so the accumulated ``.grad`` can be differentiated
    again; ``retain_graph`` then defaults to True.
    """
    inputs = _as_list(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _as_list(tensors)
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        grads = _initial_graph_grads(tensors, _as_list(grad_tensors))
    else:
        grads = _initial_grads(tensors, _as_list(grad_tensors))
    if inputs is not None:
        for t in inputs:  # as PyTorch: a non-leaf input retains its gradient, which its own hook puts in .grad
            t.retain_grad()
    run_backward(tensors, grads, bool(retain_graph), inputs=inputs, allow_unused=True, create_graph=create_graph,
                 accumulate=inputs is not None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (nothing is accumulated).

    ``create_graph=True`` records the backward pass, so the returned gradients can be differentiated again
    (second derivatives, gradient penalties, Hessian-vector products); ``retain_graph`` then defaults to True.
    """
    from .._tensor import Tensor
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        grads = _initial_graph_grads(outputs, _as_list(grad_outputs))
    else:
        grads = _initial_grads(outputs, _as_list(grad_outputs))
    allow = bool(allow_unused) or materialize_grads
    results = run_backward(outputs, grads, bool(retain_graph), inputs=inputs, allow_unused=allow,
                           create_graph=create_graph)
    out = []
    for t, g in zip(inputs, results):
        if g is None:
            out.append(Tensor._make(np.zeros_like(t._data)) if materialize_grads else None)
        elif create_graph:
            out.append(g)
        else:
            want = _grad_np_dtype(t)
            out.append(Tensor._make(g if want is None else g.astype(want)))
    return tuple(out)
