"""Index functions with PyTorch's ``torch.*`` forms: ``nonzero_static`` (a fixed number of rows, as compiled
code needs) and ``torch.put``."""
import numpy as np

from .._tensor import Tensor, tensor_method
from .scatter_gather import put  # noqa: F401  (its torch.put form)

__all__ = ["nonzero_static", "put"]


@tensor_method()
def nonzero_static(input, *, size, fill_value=-1):
    """The first ``size`` rows of ``nonzero(input)``, padded with rows of ``fill_value`` when there are fewer."""
    if not isinstance(size, int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = np.argwhere(input._data)[:size]
    out = np.full((size, input._data.ndim), fill_value, dtype=np.int64)
    out[:len(found)] = found
    return Tensor._make(out)

