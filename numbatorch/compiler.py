"""``torch.compiler``: the queries and decorators of PyTorch's compiler, for an eager framework.

numbatorch never compiles graphs (``torch.compile`` returns the model), so nothing is ever being compiled or
exported, and the decorators that steer the compiler return what they decorate.
"""
from ._runtime import compile

__all__ = ["allow_in_graph", "assume_constant_result", "compile", "disable", "get_default_backend",
           "is_compiling", "is_dynamo_compiling", "is_exporting", "list_backends", "reset", "set_default_backend",
           "set_stance", "substitute_in_graph", "wrap_numpy"]

_state = {"backend": "inductor"}


def is_compiling():
    """False: code never runs inside a compiler trace here."""
    return False


def is_dynamo_compiling():
    """False: there is no Dynamo trace."""
    return False


def is_exporting():
    """False: there is no ``torch.export`` trace."""
    return False


def disable(fn=None, recursive=True, *, reason=None):
    """Keep ``fn`` out of compilation: it is returned unchanged (usable as ``@disable`` or ``@disable()``)."""
    if fn is None:
        return lambda f: f
    return fn


def assume_constant_result(fn):
    """Mark ``fn``'s result as constant for the compiler: ``fn`` is returned unchanged."""
    return fn


def allow_in_graph(fn):
    """Let the compiler put ``fn`` in its graph as is: ``fn`` is returned unchanged."""
    return fn


def substitute_in_graph(original_fn, *, can_constant_fold_through=False, skip_signature_check=False):
    """A decorator registering a traceable stand-in for ``original_fn``: returns the stand-in unchanged."""
    return lambda fn: fn


def wrap_numpy(fn):
    """Let ``fn`` written on numpy arrays take and return tensors, as PyTorch's compiler does."""
    import functools

    import numpy as np

    from ._creation import from_numpy
    from ._tensor import Tensor

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        result = fn(*(a.numpy() if isinstance(a, Tensor) else a for a in args),
                    **{k: v.numpy() if isinstance(v, Tensor) else v for k, v in kwargs.items()})
        if isinstance(result, np.ndarray):
            return from_numpy(result)
        if isinstance(result, tuple):
            return tuple(from_numpy(r) if isinstance(r, np.ndarray) else r for r in result)
        return result
    return wrapped


def reset():
    """Clear compilation caches: there are none."""


def list_backends(exclude_tags=("debug", "experimental")):
    """The compiler backends' names that ``torch.compile`` accepts (it ignores them here)."""
    return ["cudagraphs", "inductor", "openxla", "tvm"]


def set_default_backend(backend):
    """Record ``backend`` as the default one (``get_default_backend``); compilation stays a no-op."""
    _state["backend"] = backend


def get_default_backend():
    """The backend ``set_default_backend`` recorded (``"inductor"`` at first)."""
    return _state["backend"]


def set_stance(stance="default", *, skip_guard_eval_unsafe=False, force_backend=None):
    """Choose how compiled functions behave: a context manager and decorator that changes nothing here."""
    import contextlib
    return contextlib.nullcontext()
