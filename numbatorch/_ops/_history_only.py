"""An op's input as its graph node holds it when backward never reads that input's data.

A node keeps its inputs for their history (grad_fn and output number), shape and dtype; holding the Tensor
itself also keeps its data alive until backward. Ops whose backward reads no input (add) or only what forward
saved (tanh, from its output) would keep dead arrays alive: after the forward of ``z = tanh(z @ a) * 0.5 + z``
twice as many 256 KB arrays as PyTorch's saved tensors, each step faulting and evicting fresh memory.
``history_only(t)`` gives such a node a stand-in over no memory instead: ``record`` applies it to every input of a
node class with ``history_only_inputs`` (only while it records a node), mul and div to the factor that records
beside a constant (each factor is read for the other's gradient).
"""
import functools

import numpy as np

from .._tensor import Tensor

# Below this many bytes holding the data costs less than the ~1.5 us of making a stand-in (and frees no page).
MIN_BYTES = 1 << 16


@functools.lru_cache(maxsize=256)
def _no_memory(shape, dtype):
    """A read-only array of ``shape`` and ``dtype`` whose elements all share one (unset) value."""
    return np.broadcast_to(np.empty((), dtype), shape)


def history_only(t):
    """``t`` for a node that reads neither its data nor its identity: a non-leaf, non-view Tensor becomes a
    stand-in with the same history, shape and dtype but no data; anything else (leaves, whose gradient the
    engine accumulates into the Tensor itself; views, whose history follows their base; small Tensors) is returned
    as is."""
    if t.__class__ is not Tensor or t.grad_fn is None or t._base is not None:
        return t
    data = t._data
    if type(data) is not np.ndarray or data.nbytes < MIN_BYTES:  # device memory stays as it is
        return t
    return Tensor._make(_no_memory(data.shape, data.dtype), t.grad_fn, t._output_nr)
