"""``hash_tensor``: an xor-reduction hash of a tensor's elements, as PyTorch's mode 0."""
import numpy as np

from .._tensor import Tensor, normalize_dim, tensor_method

__all__ = ["hash_tensor"]


@tensor_method()
def hash_tensor(input, dim=None, *, keepdim=False, mode=0):
    """The xor of the elements' 64-bit patterns over ``dim`` (an int, a tuple, or None for all), as uint64.

    Floats are widened to float64, integers and bools to int64, before their bits are read."""
    if mode != 0:
        raise RuntimeError(f"Unknown hash_tensor mode: {mode}")
    data = input._data
    if dim is None and data.size == 0:
        raise RuntimeError("hash_tensor: Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    dims = tuple(range(data.ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(normalize_dim(d, max(data.ndim, 1)) for d in dims)
    for d in dims:
        if data.ndim and data.shape[d] == 0:
            raise IndexError(f"hash_tensor: Expected reduction dim {d} to have non-zero size.")
    wide = data.astype(np.float64 if data.dtype.kind == "f" else np.int64)
    bits = wide.view(np.uint64)
    if data.ndim == 0:
        return Tensor._make(bits.copy())
    return Tensor._make(np.bitwise_xor.reduce(bits, axis=dims, keepdims=keepdim))
