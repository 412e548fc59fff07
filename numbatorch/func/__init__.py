"""``numbatorch.func`` (``torch.func``): composable function transforms: ``vmap``, ``grad``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``, ``hessian`` and ``functional_call``, computed eagerly (``vmap`` as a loop)."""
from ._functional_call import functional_call, stack_module_state  # noqa: F401
from ._transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp  # noqa: F401
from ._vmap import vmap  # noqa: F401
