"""``autograd.backward`` and ``autograd.grad``: the user-facing entry points to the engine."""
import numpy as np

from .engine import run_backward


def _as_list(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _initial_grads(tensors, grad_tensors):
    grads = []
    for i, t in enumerate(tensors):
        g = grad_tensors[i] if grad_tensors is not None and i < len(grad_tensors) else None
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(np.ones_like(t._data))
        else:
            arr = g._data if hasattr(g, "_data") else np.asarray(g, dtype=t._data.dtype)
            if arr.dtype != t._data.dtype:
                arr = arr.astype(t._data.dtype)
            if arr.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {_sz(arr.shape)} and "
                                   f"output[{i}] has a shape of {_sz(t._data.shape)}.")
            grads.append(arr)
    return grads


def _sz(shape):
    return f"numbatorch.Size({list(shape)})"


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of graph leaves."""
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by numbatorch yet")
    tensors = _as_list(tensors)
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    grads = _initial_grads(tensors, _as_list(grad_tensors))
    if inputs is not None:
        inputs = _as_list(inputs)
        results = run_backward(tensors, grads, bool(retain_graph), inputs=inputs, allow_unused=True)
        for t, g in zip(inputs, results):
            if g is not None:
                t._accumulate_grad(g)
        return
    run_backward(tensors, grads, bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (nothing is accumulated)."""
    from .._tensor import Tensor
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by numbatorch yet")
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _initial_grads(outputs, _as_list(grad_outputs))
    allow = bool(allow_unused) or materialize_grads
    results = run_backward(outputs, grads, bool(retain_graph), inputs=inputs, allow_unused=allow)
    out = []
    for t, g in zip(inputs, results):
        if g is None:
            out.append(Tensor._make(np.zeros_like(t._data)) if materialize_grads else None)
        else:
            out.append(Tensor._make(np.array(g, dtype=t._data.dtype)))
    return tuple(out)
