"""The gradient transforms of ``torch.func``: ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``,
``jacfwd`` and ``hessian``, on numbatorch's reverse-mode autograd.

Each transform differentiates with respect to fresh copies of the chosen arguments; when an argument already
takes part in an outer differentiation (it requires grad), the derivative is built with ``create_graph`` so the
transforms nest (``grad(grad(f))``, ``hessian``) and compose with ``vmap``.
"""
import functools

from .. import _tensor, autograd
from ..autograd import functional as AF
from ..autograd import grad_mode

__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp"]


def _argnums(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnums={argnums}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)


def _differentiable(t):
    """``t`` as a tensor to differentiate with respect to, and whether an outer derivative needs its graph."""
    if not isinstance(t, _tensor.Tensor):
        raise RuntimeError(f"Expected the differentiated argument to be a Tensor, got {type(t).__name__}")
    if t.requires_grad and grad_mode.is_grad_enabled():
        return t.view_as(t), True
    return t.detach().requires_grad_(True), False


def _with(args, nums, values):
    args = list(args)
    for n, v in zip(nums, values):
        args[n] = v
    return args


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning ``(gradient of func's scalar output w.r.t. the arguments argnums, that output)``
    (with ``has_aux``, ``func`` returns ``(output, aux)`` and the value is ``(output, aux)``)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        with grad_mode.enable_grad():
            prepared = [_differentiable(args[n]) for n in nums]
            inputs = [t for t, _ in prepared]
            nested = any(outer for _, outer in prepared)
            result = func(*_with(args, nums, inputs), **kwargs)
            output, aux = result if has_aux else (result, None)
            if not isinstance(output, _tensor.Tensor) or output.dim() != 0:
                what = f"tensor with {output.dim()} dims" if isinstance(output, _tensor.Tensor) else \
                    type(output).__name__
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"{what}. Maybe you wanted to use the vjp or jacrev APIs instead?")
            if output.requires_grad:
                grads = autograd.grad(output, inputs, create_graph=nested, allow_unused=True)
            else:
                grads = [None] * len(inputs)
        grads = tuple(g if g is not None else t.detach() * 0 for g, t in zip(grads, inputs))
        value = output if nested else output.detach()
        grads = grads[0] if isinstance(argnums, int) else grads
        return (grads, (value, aux)) if has_aux else (grads, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of ``func``'s scalar output w.r.t. the arguments ``argnums``
    (with ``has_aux``: ``(gradient, aux)``)."""
    transformed = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = transformed(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` is the tuple of vector-Jacobian products, one per
    primal (with ``has_aux``, also ``aux`` third)."""
    with grad_mode.enable_grad():
        prepared = [_differentiable(p) for p in primals]
        inputs = [t for t, _ in prepared]
        nested = any(outer for _, outer in prepared)
        result = func(*inputs)
        output, aux = result if has_aux else (result, None)
    outputs = list(output) if isinstance(output, (tuple, list)) else [output]

    def vjp_fn(cotangents):
        """The vector-Jacobian products of ``cotangents`` (shaped like the output), one per primal."""
        seeds = list(cotangents) if isinstance(cotangents, (tuple, list)) else [cotangents]
        with grad_mode.enable_grad():
            grads = autograd.grad(outputs, inputs, seeds, retain_graph=True, create_graph=nested, allow_unused=True)
        return tuple(g if g is not None else t.detach() * 0 for g, t in zip(grads, inputs))
    value = output if nested else (type(output)(o.detach() for o in output) if isinstance(output, (tuple, list))
                                   else output.detach())
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product (by double backward; with ``has_aux``,
    also ``aux`` third)."""
    aux = []

    def inner(*inputs):
        result = func(*inputs)
        if has_aux:
            aux.append(result[1])
            return result[0]
        return result
    nested = any(p.requires_grad for p in primals) and grad_mode.is_grad_enabled()
    output, product = AF.jvp(inner, tuple(primals), tuple(tangents), create_graph=nested, strict=strict)
    return (output, product, aux[0]) if has_aux else (output, product)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """A function returning the Jacobian of ``func`` w.r.t. the arguments ``argnums``: ``output.shape +
    argument.shape`` per pair (a tuple over argnums when it is a tuple, over outputs when func returns one)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        aux = []

        def partial(*inputs):
            result = func(*_with(args, nums, inputs), **kwargs)
            if has_aux:
                aux.append(result[1])
                return result[0]
            return result
        nested = grad_mode.is_grad_enabled() and any(args[n].requires_grad for n in nums)
        jac = AF.jacobian(partial, tuple(args[n] for n in nums), create_graph=nested)
        if isinstance(argnums, int):
            jac = tuple(j[0] for j in jac) if isinstance(jac[0], tuple) else jac[0]
        return (jac, aux[0]) if has_aux else jac
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``jacrev``'s Jacobian: numbatorch has no forward-mode AD, so it is computed in reverse mode."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """A function returning the Hessian of ``func``'s scalar output w.r.t. the arguments ``argnums``."""
    return jacfwd(jacrev(func, argnums), argnums)
