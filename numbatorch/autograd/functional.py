"""``autograd.functional``: Jacobians, Hessians and vector products of a whole function, built on ``grad``.

Forward-mode products (``jvp``, ``hvp``) use the double-backward trick: the vector-Jacobian product is linear in
its vector, so differentiating it with respect to that vector gives the Jacobian-vector product.
"""
from . import grad_mode
from ._backward import grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]

_STRICT_NONE = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}

_STRICT_CONSTANT = {
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. "
               "This is not allowed in strict mode. You should ensure that your function is thrice "
               "differentiable and that the hessian depends on the inputs.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example).",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed "
               "in a differentiable manner from the input when running in strict mode.",
}


def _tensors(value, arg_name, fn_name):
    """``(was_a_tuple, tuple_of_tensors)`` for a Tensor or a tuple of Tensors; anything else is a TypeError."""
    from .._tensor import Tensor
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"{where} has type {type(item)}.")
    return is_tuple, items


def _prepare(tensors, create_graph, need_graph):
    """Fresh differentiable copies of ``tensors``; with ``create_graph`` they stay connected to their history."""
    out = []
    for t in tensors:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(results, create_graph):
    """Detach results (nested tuples too) unless the caller asked for a graph."""
    if create_graph:
        return results
    return tuple(_finish(r, False) if isinstance(r, tuple) else r.detach() for r in results)


def _unpack(results, was_tuple):
    """Undo the tupling of inputs/outputs: ``was_tuple`` is one flag, or ``(outputs_flag, inputs_flag)``."""
    if isinstance(was_tuple, tuple):
        outputs_tuple, inputs_tuple = was_tuple
        if not inputs_tuple:
            results = tuple(r[0] for r in results)
        return results if outputs_tuple else results[0]
    return results if was_tuple else results[0]


def _check_v(v, refs, refs_tuple):
    if len(v) != len(refs):
        if refs_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, refs)):
        if a.shape != b.shape:
            prefix = f"Entry {i} in " if refs_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {b.size()} but got {a.size()}.")


def _check_requires_grad(tensors, kind, strict):
    """In strict mode, every tensor of ``kind`` must exist and depend on the inputs."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(_STRICT_NONE["back"].format(i=i))
        if not t.requires_grad:
            raise RuntimeError(_STRICT_CONSTANT[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False):
    """``grad`` over the outputs that require grad only; all None when none does."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs or (None,) * len(outputs))
             if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    seeds = [g for _, g in pairs]
    return grad([o for o, _ in pairs], inputs, None if all(g is None for g in seeds) else seeds,
                retain_graph=True, create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads, refs, strict, create_graph, stage):
    """Unused inputs get zero gradients (or, in strict mode, PyTorch's error for ``stage``)."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_NONE[stage].format(i=i))
            g = _zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _zeros_like(t):
    from .._creation import zeros_like
    return zeros_like(t)


def _zeros_requiring_grad(t):
    return _zeros_like(t).requires_grad_(True)


def _vector(v, refs, refs_tuple, create_graph, fn_name, none_message):
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _tensors(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _check_v(v, refs, refs_tuple)
    return v


_V_FOR_SCALAR_OUTPUT = ("The vector v can only be None if the user-provided function returns a single Tensor with "
                        "a single element.")
_V_FOR_SCALAR_INPUT = ("The vector v can only be None if the input to the user-provided function is a single "
                       "Tensor with a single element.")


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product of ``func`` at ``inputs``.

    ``v`` has the shape of ``func``'s output (it may be None for a one-element output). ``create_graph`` keeps
    the results differentiable; ``strict`` raises when an output does not depend on an input.
    """
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _vector(v, outputs, outputs_tuple, create_graph, "vjp", _V_FOR_SCALAR_OUTPUT)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_none(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return _unpack(_finish(outputs, create_graph), outputs_tuple), _unpack(_finish(res, create_graph), inputs_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product of ``func`` at ``inputs`` (by double backward).

    ``v`` has the shape of ``inputs`` (it may be None for a one-element input).
    """
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, create_graph, "jvp", _V_FOR_SCALAR_INPUT)
        outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        seeds = tuple(_zeros_requiring_grad(o) for o in outputs)
        vjps = _grad(outputs, inputs, seeds, create_graph=True)
        _check_requires_grad(vjps, "grad_inputs", strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_none(_grad(vjps, seeds, v, create_graph), outputs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(res, create_graph), outputs_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: entry ``[i][j]`` has shape ``output_i.shape + input_j.shape``.

    Computed row by row in reverse mode; ``vectorize`` (batching those rows in PyTorch) gives the same result.
    ``strategy="forward-mode"`` is not available: numbatorch has no forward-mode AD.
    """
    from .._ops.joining import stack
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError('jacobian(strategy="forward-mode") is not supported: numbatorch has no '
                                  'forward-mode AD; use strategy="reverse-mode"')
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        result = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            flat = out.reshape(-1)
            for k in range(out.numel()):
                row = _grad((flat[k],), inputs, create_graph=create_graph)
                for j, g in enumerate(row):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {j}. This is not allowed in strict mode.")
                        g = _zeros_like(inputs[j])
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of input "
                                           f"{i}. This is not allowed in strict mode when create_graph=True.")
                    rows[j].append(g)
            result.append(tuple(stack(r, 0).view(tuple(out.shape) + tuple(inputs[j].shape))
                                for j, r in enumerate(rows)))
        result = _finish(tuple(result), create_graph)
    return _unpack(result, (outputs_tuple, inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``: entry ``[i][j]`` has shape ``input_i.shape + input_j.shape``.

    The Jacobian of the Jacobian, both in reverse mode (the inner one with ``create_graph=True``).
    """
    from .._tensor import Tensor
    inputs_tuple, inputs = _tensors(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*args):
        out = func(*args)
        out_tuple, outs = _tensors(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single "
                               "element")
        return out.squeeze()

    def gradient(*args):
        jac = jacobian(scalar_func, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _unpack(res, (inputs_tuple, inputs_tuple))


def _scalar_function_grads(func, inputs, v, create_graph, strict, fn_name):
    """Shared start of ``vhp``/``hvp``: prepared inputs and ``v``, the scalar output and its gradient graph."""
    inputs_tuple, inputs = _tensors(inputs, "inputs", fn_name)
    inputs = _prepare(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, inputs_tuple, create_graph, fn_name, _V_FOR_SCALAR_INPUT)
    outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    if outputs_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single "
                           "element")
    jac = _grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return inputs_tuple, inputs, v, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)``: the vector-Hessian product of a scalar ``func`` at ``inputs``."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs, v, outputs, jac = _scalar_function_grads(func, inputs, v, create_graph, strict, "vhp")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_none(_grad(jac, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return _unpack(_finish(outputs, create_graph), False), _unpack(_finish(res, create_graph), inputs_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)``: the Hessian-vector product of a scalar ``func`` at ``inputs`` (double backward)."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs, v, outputs, jac = _scalar_function_grads(func, inputs, v, create_graph, strict, "hvp")
        seeds = tuple(_zeros_requiring_grad(t) for t in inputs)
        double_back = _grad(jac, inputs, seeds, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_none(_grad(double_back, seeds, v, create_graph), inputs, strict, create_graph,
                              "double_back_trick")
    return _unpack(_finish(outputs, create_graph), False), _unpack(_finish(res, create_graph), inputs_tuple)
