"""The ``torch.*_copy`` functions: each view op (``expand``, ``permute``, ``diagonal``, ``unbind``, ...) whose
results are fresh tensors instead of views of ``input``, made from the view op by one factory; gradients flow
through the view and the copy as through the view alone."""
import importlib

from .._tensor import Tensor


def _alias(input):
    return input


def _expand(input, size, *, implicit=False):
    # ``implicit`` only marks expansions inserted by broadcasting in PyTorch's traces; the values are the same.
    return Tensor.expand(input, size)


def _slice(input, dim=0, start=None, end=None, step=1):
    index = [slice(None)] * input.dim()
    index[dim] = slice(start, end, step)
    return input[tuple(index)]


def _unfold(input, dimension, size, step):
    return Tensor.unfold(input, dimension, size, step)


def _view(input, size):
    return Tensor.view(input, size)


def _copy_form(name, view, view_name):
    def copy_form(*args, **kwargs):
        # The torch.* view functions are looked up when called: they live in modules that import this one's package.
        torch = importlib.import_module("numbatorch")
        result = (view or getattr(torch, view_name))(*args, **kwargs)
        if isinstance(result, (tuple, list)):
            return tuple(torch.clone(r) for r in result)
        return torch.clone(result)
    copy_form.__name__ = copy_form.__qualname__ = name
    copy_form.__doc__ = (f"Same as ``torch.{view_name}``, but the result is a fresh tensor instead of a view of "
                         f"``input``.")
    copy_form.__module__ = __name__
    return copy_form


# View op name: its implementation here, or None for the ``torch.<name>`` function itself.
_VIEWS = {"alias": _alias, "as_strided": None, "detach": None, "diagonal": None, "expand": _expand, "narrow": None,
          "permute": None, "select": None, "slice": _slice, "split": None, "split_with_sizes": None, "squeeze": None,
          "t": None, "transpose": None, "unbind": None, "unfold": _unfold, "unsqueeze": None, "view": _view,
          "view_as_complex": None, "view_as_real": None}

__all__ = []
for _name, _view_op in _VIEWS.items():
    globals()[f"{_name}_copy"] = _copy_form(f"{_name}_copy", _view_op, _name)
    __all__.append(f"{_name}_copy")
