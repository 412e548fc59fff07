"""``vmap``: map a function over a dimension of its inputs, computed as a loop over that dimension whose results
are stacked (PyTorch batches the ops instead; the values and their gradients are the same)."""
import functools

from .. import _tensor

__all__ = ["vmap"]


def _leaves(value):
    """The tensors inside ``value`` (a tensor, or lists, tuples and dicts of them)."""
    if isinstance(value, _tensor.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _leaves(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _leaves(v)]
    return []


def _select(value, dim, index):
    if isinstance(value, _tensor.Tensor):
        return value.select(dim, index)
    if isinstance(value, (list, tuple)):
        return type(value)(_select(v, dim, index) for v in value)
    if isinstance(value, dict):
        return {k: _select(v, dim, index) for k, v in value.items()}
    return value


def _stack(results, out_dims):
    first = results[0]
    if isinstance(first, _tensor.Tensor):
        return _tensor_stack(results, out_dims)
    if isinstance(first, (list, tuple)):
        dims = out_dims if isinstance(out_dims, (list, tuple)) else [out_dims] * len(first)
        return type(first)(_stack([r[i] for r in results], d) for i, d in enumerate(dims))
    if isinstance(first, dict):
        return {k: _stack([r[k] for r in results], out_dims) for k in first}
    raise ValueError(f"vmap: `func` must only return Tensors, got type {type(first)}. Did you mean to set "
                     f"out_dims= to None for output?")


def _tensor_stack(results, out_dim):
    import numbatorch
    if out_dim is None:
        return results[0]
    return numbatorch.stack(results, dim=out_dim)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over dimension ``in_dims`` of its arguments, the results stacked along ``out_dims``.

    ``in_dims`` is an int or one int/None per argument (None passes the argument unchanged). Random operations
    inside ``func`` draw independently for each element (PyTorch's ``randomness="different"``); ``chunk_size``
    is accepted without effect."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")

    @functools.wraps(func)
    def mapped(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (list, tuple)) else [in_dims] * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap({getattr(func, '__name__', func)}, in_dims={in_dims}, ...)(<inputs>): in_dims "
                             f"is not compatible with the structure of `inputs`. in_dims has structure of "
                             f"{len(dims)} elements but inputs has structure of {len(args)} elements.")
        sizes = {t.shape[d] for a, d in zip(args, dims) if d is not None for t in _leaves(a)}
        if not sizes:
            raise ValueError(f"vmap({getattr(func, '__name__', func)}, in_dims={in_dims}, ...)(<inputs>): at least "
                             f"one input must be a Tensor mapped over a dimension (in_dims not None)")
        if len(sizes) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sorted(sizes)} for the mapped dimension")
        results = [func(*(a if d is None else _select(a, d, i) for a, d in zip(args, dims)), **kwargs)
                   for i in range(sizes.pop())]
        return _stack(results, out_dims)
    return mapped
