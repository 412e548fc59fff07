"""Activation functions of ``nn.functional``.

The ops, their graph nodes and checks live in the activation family (``numbatorch/_ops/activation.py``,
``activation_piecewise.py``, ``activation_smooth.py``); ``F.sigmoid``/``F.tanh``/``F.relu_`` are the
``torch.*`` functions themselves. Here are only the forms with ``nn.functional``'s own signature: ``relu``
with ``inplace``, and the softmax family with its legacy implicit ``dim``.
"""
import warnings

from ..._ops import activation as _core, softmax as _softmax
from ..._ops._tensor_args import require_tensor
from ..._ops.activation import relu_, sigmoid, tanh  # noqa: F401  (F.sigmoid, F.tanh, F.relu_ are the torch functions)
from ..._ops.activation_piecewise import *  # noqa: F401,F403
from ..._ops.activation_piecewise import __all__ as _piecewise
from ..._ops.activation_smooth import *  # noqa: F401,F403
from ..._ops.activation_smooth import __all__ as _smooth


def relu(input, inplace=False):
    """Elementwise ``max(0, x)``.

    See ``nn.ReLU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return relu_(input) if inplace else _core.relu(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Softmin (softmax of ``-input``) along ``dim``.

    See ``nn.Softmin`` for the arguments and shapes.
    """
    return _softmax.softmax(-input, _implicit_dim("softmin", input, dim, _stacklevel), dtype=dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Softmax along ``dim``; with ``dtype`` the input is cast first.

    See ``nn.Softmax`` for the arguments and shapes.
    """
    require_tensor("softmax", input)
    return _softmax.softmax(input, _implicit_dim("softmax", input, dim, _stacklevel), dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Log of the softmax along ``dim``, computed stably; with ``dtype`` the input is cast first.

    See ``nn.LogSoftmax`` for the arguments and shapes.
    """
    require_tensor("log_softmax", input)
    return _softmax.log_softmax(input, _implicit_dim("log_softmax", input, dim, _stacklevel), dtype=dtype)


def _implicit_dim(name, input, dim, stacklevel):
    # PyTorch's legacy rule for a missing dim: 0 for 0-, 1- and 3-D inputs, else 1 (with its warning).
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if input.dim() in (0, 1, 3) else 1


__all__ = sorted(["log_softmax", "relu", "relu_", "sigmoid", "softmax", "softmin", "tanh", *_piecewise, *_smooth])
