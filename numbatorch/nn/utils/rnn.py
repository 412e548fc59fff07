"""Variable-length batches for recurrent layers: PackedSequence and the pad/pack helpers."""
from collections import namedtuple

import numpy as np

from ..._ops.index_ops import index_select
from ..._ops._util import record
from ..._tensor import Tensor
from ...autograd.graph import Node
from ..functional.rnn import packed_to_padded, padded_to_packed

_PackedSequenceBase = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _int_tensor(values):
    return Tensor._make(np.asarray(values, dtype=np.int64))


def invert_permutation(permutation):
    if permutation is None:
        return None
    perm = permutation._data
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size, dtype=perm.dtype)
    return Tensor._make(inverse)


class PackedSequence(_PackedSequenceBase):
    """Rows of a batch of sequences packed time step by time step.

    data (sum(lengths), *) holds step 0 of every sequence, then step 1 of those still running, ...;
    batch_sizes[t] is how many sequences are longer than t (sequences sorted by decreasing length);
    sorted_indices / unsorted_indices map between the caller's batch order and the sorted one.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence(*packed) from a tuple
            raise TypeError("PackedSequence needs batch_sizes")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cpu(self, *args, **kwargs):
        return self

    def double(self):
        return self._with_data(self.data.double())

    def float(self):
        return self._with_data(self.data.float())

    def half(self):
        return self._with_data(self.data.half())

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) given each sequence's length."""
    lengths = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if lengths.size != input.shape[batch_dim]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
                           f"(batch_size={input.shape[batch_dim]})")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _int_tensor(order)
        input = index_select(input, batch_dim, sorted_indices)
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    max_len = int(lengths[0]) if lengths.size else 0
    if max_len > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to {max_len}, but got "
                           f"{input.shape[0]}")  # PyTorch reports the mismatch this way
    batch_sizes = (lengths[None, :] > np.arange(max_len)[:, None]).sum(axis=1)
    data = padded_to_packed(input, batch_sizes)
    return PackedSequence(data, _int_tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of ``pack_padded_sequence``: returns (padded, lengths) in the caller's batch order."""
    batch_sizes = sequence.batch_sizes._data
    max_len = batch_sizes.size
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_len}")
    padded = packed_to_padded(sequence.data, batch_sizes, total_length, padding_value)
    B = int(batch_sizes[0]) if max_len else 0
    lengths = (batch_sizes[None, :] > np.arange(B)[:, None]).sum(axis=1)
    if sequence.unsorted_indices is not None:
        padded = index_select(padded, 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _int_tensor(lengths)


class PadSequenceBackward0(Node):
    __slots__ = ("lengths", "batch_first", "left")

    def backward(self, grad):
        T = grad.shape[1 if self.batch_first else 0]
        grads = []
        for i, n in enumerate(self.lengths):
            sl = slice(T - n, T) if self.left else slice(0, n)
            grads.append(grad[i, sl] if self.batch_first else grad[sl, i])
        return tuple(grads)

    backward_graph = backward  # the same slicing on a Tensor


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into (T, B, *) (or (B, T, *)), padding with ``padding_value``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    arrays = [s._data for s in sequences]
    lengths = [a.shape[0] for a in arrays]
    T = max(lengths)
    trailing = arrays[0].shape[1:]
    dtype = np.result_type(*arrays)
    out = np.full((len(arrays), T) + trailing, padding_value, dtype=dtype)
    left = padding_side == "left"
    for i, a in enumerate(arrays):
        if left:
            out[i, T - a.shape[0]:] = a
        else:
            out[i, :a.shape[0]] = a
    if not batch_first:
        out = np.ascontiguousarray(out.swapaxes(0, 1))
    return record(out, PadSequenceBackward0, tuple(sequences), lengths=lengths, batch_first=batch_first, left=left)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into its sequences (a list of (L_i, *) tensors)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors (``pad_sequence`` then ``pack_padded_sequence``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Inverse of ``pack_sequence``: the list of (L_i, *) tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence", "unpack_sequence", "unpad_sequence"]
