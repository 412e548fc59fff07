"""``gradcheck``: compare analytical gradients with central finite differences."""
import warnings

import numpy as np

from . import grad_mode


class GradcheckError(RuntimeError):
    pass


def _as_tuple(out):
    return out if isinstance(out, (tuple, list)) else (out,)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, **kwargs):
    """True when every output's Jacobian by backward matches finite differences for all grad-requiring inputs."""
    from .._tensor import Tensor
    from ._backward import grad as autograd_grad
    inputs = _as_tuple(inputs)
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    for t in diff_inputs:
        if t._data.dtype != np.float64:
            warnings.warn("Input to gradcheck is not double precision floating point; the check may fail "
                          "because of rounding.")
        if not t._data.flags.c_contiguous:
            raise ValueError("gradcheck needs contiguous inputs")
    # Outputs are found by position: under no_grad (finite differences) none of them requires grad.
    outputs = _as_tuple(func(*inputs))
    checked = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o._requires_grad]
    for out_index in checked:
        out = outputs[out_index]
        n_out = out._data.size
        analytical = [np.zeros((t._data.size, n_out)) for t in diff_inputs]
        for j in range(n_out):
            seed = np.zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[j] = 1
            fresh = _as_tuple(func(*inputs))[out_index]
            grads = autograd_grad(fresh, diff_inputs, Tensor._make(seed), allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    analytical[k][:, j] = g._data.reshape(-1)
        for k, t in enumerate(diff_inputs):
            numerical = np.zeros_like(analytical[k])
            flat = t._data.reshape(-1)
            for i in range(flat.size):
                orig = flat[i]
                with grad_mode.no_grad():
                    flat[i] = orig + eps
                    plus = _as_tuple(func(*inputs))[out_index]._data.astype(np.float64).reshape(-1)
                    flat[i] = orig - eps
                    minus = _as_tuple(func(*inputs))[out_index]._data.astype(np.float64).reshape(-1)
                flat[i] = orig
                numerical[i] = (plus - minus) / (2 * eps)
            if not np.allclose(analytical[k], numerical, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {out_index} with respect to input {k},\n"
                        f"numerical:{numerical}\nanalytical:{analytical[k]}\n")
                return False
    return True



def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0, check_undefined_grad=True,
                  **kwargs):
    """True when the second derivatives by double backward match finite differences of the first derivatives.

    Checks ``gradcheck`` on the function ``(inputs, grad_outputs) -> autograd.grad(func(inputs), inputs,
    grad_outputs, create_graph=True)``; ``grad_outputs`` default to random tensors that require grad, so
    the gradient's dependence on them is checked too. PyTorch's other options (``gen_non_contig_grad_outputs``,
    ``check_undefined_grad``, batched and forward-mode checks) are accepted and change nothing.
    """
    from .._random import numpy_generator
    from .._tensor import Tensor
    from ._backward import grad as autograd_grad
    inputs = tuple(_as_tuple(inputs))
    n_inputs = len(inputs)
    if grad_outputs is None:
        outputs = _as_tuple(func(*inputs))
        rng = numpy_generator()
        grad_outputs = []
        for o in outputs:
            if isinstance(o, Tensor) and o._requires_grad:
                seed = Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
                seed.requires_grad_(True)
                grad_outputs.append(seed)
    grad_outputs = tuple(_as_tuple(grad_outputs))

    def first_derivatives(*args):
        # Finite differences call this under no_grad: the first backward must still build its graph.
        with grad_mode.enable_grad():
            ins = args[:n_inputs]
            outs = [o for o in _as_tuple(func(*ins)) if isinstance(o, Tensor) and o._requires_grad]
            diff_ins = [t for t in ins if isinstance(t, Tensor) and t._requires_grad]
            grads = autograd_grad(outs, diff_ins, list(args[n_inputs:]), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
