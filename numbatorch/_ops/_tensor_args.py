"""PyTorch's TypeError for a non-Tensor (typically a numpy array) given to a functional or layer."""
from .._tensor import Tensor


def require_tensor(fname, value, name="input", position=1):
    """Raise ``fname(): argument 'input' (position 1) must be Tensor, not numpy.ndarray`` unless ``value`` is a Tensor.

    Checked at the functional entry points, so a layer called on an array fails with its functional's name
    instead of an AttributeError from deep inside.
    """
    if not isinstance(value, Tensor):
        kind = type(value)
        # PyTorch prints C types (numpy's included) with their module, Python classes by name
        shown = f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ == "numpy" else kind.__qualname__
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be Tensor, not {shown}")
