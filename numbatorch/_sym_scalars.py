"""``torch.sym_*``: the scalar helpers PyTorch's symbolic shapes use, on the plain Python numbers that numbatorch's
shapes always are (so they are the built-in operations)."""
import builtins
import math

__all__ = ["sym_float", "sym_int", "sym_ite", "sym_max", "sym_min", "sym_not", "sym_sqrt", "sym_sum"]


def sym_float(a):
    """``float(a)``."""
    return builtins.float(a)


def sym_int(a):
    """``a`` truncated toward zero to an int."""
    return math.trunc(a) if isinstance(a, builtins.float) else builtins.int(a)


def _promoted(result, a, b):
    # As arithmetic would: an int result of comparing with a float comes back as a float.
    return builtins.float(result) if isinstance(a, builtins.float) or isinstance(b, builtins.float) else result


def sym_max(a, b):
    """The larger of ``a`` and ``b`` (a float when either is a float)."""
    return _promoted(builtins.max(a, b), a, b)


def sym_min(a, b):
    """The smaller of ``a`` and ``b`` (a float when either is a float)."""
    return _promoted(builtins.min(a, b), a, b)


def sym_not(a):
    """``not a``."""
    return not a


def sym_sqrt(a):
    """``math.sqrt(a)``."""
    return math.sqrt(a)


def sym_ite(b, t, f):
    """``t if b else f``."""
    return t if b else f


def sym_sum(args):
    """The sum of the numbers in ``args``."""
    return builtins.sum(args)
