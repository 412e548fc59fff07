"""Embeddings and one-hot encoding."""
import numpy as np

from ..._ops._util import record, zeros
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.graph import Node
from ..._ops._tensor_args import require_tensor
from ._embedding_bag_checks import (MODES, check_functional, check_index_range, check_kernel,
                                    check_per_sample_weights_mode, normalized_padding_idx)


class EmbeddingBackward0(Node):
    __slots__ = ("indices", "num_weights", "padding_idx", "scale")

    def backward(self, grad):
        dim = grad.shape[-1]
        g = zeros((self.num_weights, dim), grad.dtype, like=grad)
        flat_idx = self.indices.reshape(-1)
        flat_grad = grad.reshape(-1, dim)
        if self.scale is not None:
            flat_grad = flat_grad / self.scale[flat_idx][:, None]
        np.add.at(g, flat_idx, flat_grad)
        if self.padding_idx is not None:
            g[self.padding_idx] = 0
        return g

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _EmbeddingGradBackward, (grad,), indices=self.indices,
                      padding_idx=self.padding_idx, scale=self.scale)


class _EmbeddingGradBackward(Node):
    """Graph of an embedding's weight gradient (rows scatter-added): its own gradient gathers the rows again."""

    __slots__ = ("indices", "padding_idx", "scale")

    def backward(self, grad):
        if self.padding_idx is not None:
            grad = grad.copy()
            grad[self.padding_idx] = 0
        flat_idx = self.indices.reshape(-1)
        rows = grad[flat_idx]
        if self.scale is not None:
            rows = rows / self.scale[flat_idx][:, None]
        return rows.reshape(self.indices.shape + (grad.shape[-1],))

    def backward_graph(self, grad):
        return record(self.backward(grad._data), EmbeddingBackward0, (grad,), indices=self.indices,
                      num_weights=grad._data.shape[0], padding_idx=self.padding_idx, scale=self.scale)


def _check_indices(input, num, op="embedding", position=1):
    """PyTorch's checks of embedding indices: an integer dtype (named by the checking ``op`` and the indices'
    ``position`` among its arguments), then the range."""
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #{position} 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {input.type()} instead (while checking arguments for {op})")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")


def padding_row(padding_idx, num_embeddings, name="Padding_idx"):
    """``padding_idx`` checked (AssertionError, PyTorch's text naming it ``name``) and made non-negative."""
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < num_embeddings, f"{name} must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -num_embeddings, f"{name} must be within num_embeddings"
        padding_idx = num_embeddings + padding_idx
    return padding_idx


def _renorm_(weight, idx, max_norm, norm_type):
    """PyTorch's max_norm: rows that are looked up are rescaled in place to norm <= max_norm."""
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] *= scale[:, None].astype(w.dtype)
    weight._version_counter[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` at the integer indices ``input``: ``(*) -> (*, embedding_dim)``.

    See ``nn.Embedding`` for the arguments and shapes.
    """
    require_tensor("embedding", input, "indices", 2)  # PyTorch's kernel takes (weight, indices)
    idx = input._data
    num = weight.shape[0]
    padding_idx = padding_row(padding_idx, num)
    if max_norm is not None:
        _check_indices(input, num, "embedding_renorm_", 2)
        with grad_mode.no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(input, num)
    scale = _frequencies(idx, weight) if scale_grad_by_freq else None
    return _rows(idx, weight, padding_idx, scale)


def _frequencies(idx, weight):
    """How often each row is looked up (at least 1): ``scale_grad_by_freq`` divides each row's gradient by it."""
    counts = np.bincount(idx.reshape(-1), minlength=weight.shape[0]).astype(weight._data.dtype)
    counts[counts == 0] = 1
    return counts


def _rows(idx, weight, padding_idx, scale):
    return record(weight._data[idx], EmbeddingBackward0, (weight,), indices=idx, num_weights=weight.shape[0],
                  padding_idx=padding_idx, scale=scale)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sum/mean/max of embedding rows per bag; bags are the rows of a 2-D input or slices between ``offsets``."""
    from ..._ops.joining import stack
    check_functional(input, weight, offsets, per_sample_weights, mode, scale_grad_by_freq, sparse)
    if max_norm is not None:
        _check_indices(input, weight.shape[0], "embedding_renorm_", 2)
        with grad_mode.no_grad():
            _renorm_(weight, input._data, max_norm, norm_type)
    check_per_sample_weights_mode(per_sample_weights, mode)
    padding_idx = normalized_padding_idx(padding_idx, weight.shape[0])
    if input.dim() == 2:
        if input.shape[1] == 0:
            raise RuntimeError("step must be nonzero")  # PyTorch's offsets: arange(0, numel, row length)
        offsets = Tensor._make(np.arange(0, input.numel(), input.shape[1], dtype=input._data.dtype))
        bags = [input[i] for i in range(input.shape[0])]
        weights = None if per_sample_weights is None else [per_sample_weights[i] for i in range(input.shape[0])]
    flat = input._data.reshape(-1)
    mode_number = MODES.index(mode)
    check_kernel(weight, Tensor._make(flat), offsets, mode_number, per_sample_weights)
    check_index_range(weight, flat, mode_number, padding_idx)
    if input.dim() == 1:
        starts = offsets._data.tolist()
        ends = starts[1:] + [input.shape[0]]
        if include_last_offset:
            starts, ends = starts[:-1], ends[:-1]
        bags = [input[s:e] for s, e in zip(starts, ends)]
        weights = None if per_sample_weights is None else [per_sample_weights[s:e] for s, e in zip(starts, ends)]
    # The frequencies count every index of the input, across bags, as PyTorch documents.
    scale = _frequencies(input._data, weight) if scale_grad_by_freq else None
    results = []
    for i, bag in enumerate(bags):
        bag_weights = None if weights is None else weights[i]
        if padding_idx is not None:  # padded entries leave the bag with their per-sample weights
            kept = Tensor._make(bag._data != padding_idx)
            bag = bag[kept]
            bag_weights = None if bag_weights is None else bag_weights[kept]
        rows = _rows(bag._data, weight, None, scale)
        if bag_weights is not None:
            rows = rows * bag_weights.unsqueeze(1)
        if bag.shape[0] == 0:
            results.append(weight.new_zeros(weight.shape[1]))
        elif mode == "sum":
            results.append(rows.sum(0))
        elif mode == "mean":
            results.append(rows.mean(0))
        else:
            results.append(rows.max(0).values)
    if not results:     # no bags: an empty (0, embedding_dim) result, still connected to weight as in PyTorch
        return weight[:0].clone()
    return stack(results)


def one_hot(tensor, num_classes=-1):
    """One-hot encoding of an int64 tensor: ``(*) -> (*, num_classes)``, int64.

    ``num_classes=-1`` uses the largest value plus one.
    """
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if not idx.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros_like(idx, shape=idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out)


__all__ = ["embedding", "embedding_bag", "one_hot"]
