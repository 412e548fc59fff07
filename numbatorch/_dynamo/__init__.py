"""``torch._dynamo``: what code that checks for ``torch.compile`` touches. ``numbatorch.compile`` returns the
model unchanged, so nothing is ever compiled: no module is an ``OptimizedModule`` and the config is inert."""
from . import config, eval_frame  # noqa: F401
from .eval_frame import OptimizedModule  # noqa: F401


def is_compiling():
    """Always ``False``: numbatorch never traces code for compilation."""
    return False


def reset():
    """Nothing to reset: numbatorch keeps no compiled code."""
