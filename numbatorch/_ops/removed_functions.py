"""Functions PyTorch removed but still names (``torch.solve``, ``lstsq``, ``eig``, ``symeig``, ``matrix_rank``,
``Tensor.reinforce``): they raise PyTorch's RuntimeError saying what replaced them."""
from .._tensor import tensor_method

__all__ = ["eig", "lstsq", "matrix_rank", "solve", "symeig"]

_REPLACEMENTS = {"solve": "torch.linalg.solve (its arguments are reversed)",
                 "lstsq": "torch.linalg.lstsq (its arguments are reversed)",
                 "eig": "torch.linalg.eig (it returns complex eigenvalues and eigenvectors)",
                 "symeig": "torch.linalg.eigh (it reads the lower triangle by default)",
                 "matrix_rank": "torch.linalg.matrix_rank"}


def _removed(name):
    def removed(*args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed. "
                           f"`torch.{name}` is replaced by {_REPLACEMENTS[name]}.")
    removed.__name__ = removed.__qualname__ = name
    removed.__doc__ = f"Removed from PyTorch: raises RuntimeError pointing to {_REPLACEMENTS[name]}."
    return removed


solve, lstsq, eig, symeig, matrix_rank = (_removed(name) for name in _REPLACEMENTS)
for _method in (solve, lstsq, eig, symeig):
    tensor_method()(_method)


@tensor_method()
def reinforce(self, reward):
    """Removed from PyTorch: raises RuntimeError pointing to ``torch.distributions``."""
    raise RuntimeError("reinforce() was removed.\nUse torch.distributions instead.")
