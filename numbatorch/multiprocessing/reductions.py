"""How tensors cross process boundaries in ``multiprocessing``: through shared memory, never by copy.

Registered with ``multiprocessing.reduction.ForkingPickler`` (what Queues, Pipes and spawned Process arguments
use), a tensor is first moved into shared memory (``share_memory_()``, as PyTorch does) and then sent as the
name of its segment plus its layout; the receiver rebuilds a tensor of the same class over the same memory.
"""
import numpy as np
from multiprocessing import resource_tracker
from multiprocessing.reduction import ForkingPickler

from .._tensor import Tensor
from ._shared_memory import add_reference, attach, segment_of, share_array

__all__ = ["init_reductions", "rebuild_tensor", "reduce_tensor"]


def rebuild_tensor(cls, name, nbytes, offset, shape, strides, dtype, requires_grad, state):
    """The receiving side of ``reduce_tensor``: a ``cls`` tensor over segment ``name``."""
    array = np.ndarray(shape, np.dtype(dtype), buffer=attach(name, nbytes), offset=offset, strides=strides)
    tensor = Tensor._make_subclass(cls, array, requires_grad)
    if state:
        tensor.__dict__.update(state)
    return tensor


def reduce_tensor(tensor):
    """Pickle ``tensor`` as a reference to its shared memory (moving it there first)."""
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd "
                           "does not support crossing process boundaries.  If you just want to transfer the "
                           "data, call detach() on the tensor before serializing (e.g., putting it on the queue).")
    array = tensor._data
    if segment_of(array) is None:
        if tensor._base is None:
            tensor.share_memory_()
            array = tensor._data
        else:
            # A view's array belongs to its base, which other views still use: send a shared copy instead.
            array = share_array(array)
    segment = segment_of(array)
    add_reference(segment)  # keeps the segment's name alive until the receiver has mapped it
    offset = array.__array_interface__["data"][0] - segment.address
    state = getattr(tensor, "__dict__", None) or None
    return rebuild_tensor, (type(tensor), segment.name, segment.nbytes, offset, array.shape, array.strides,
                            array.dtype.str, tensor.requires_grad, state)


def _tensor_classes(cls=Tensor):
    yield cls
    for sub in cls.__subclasses__():
        yield from _tensor_classes(sub)


def init_reductions():
    """Register ``reduce_tensor`` for Tensor and every subclass of it defined so far (Parameter, Buffer, ...)."""
    from ..nn import parameter  # noqa: F401  (defines the Parameter and Buffer subclasses to register)
    # Start the resource tracker now, so that child processes share this one instead of each starting its own
    # (a name registered with one tracker cannot be unregistered with another).
    resource_tracker.ensure_running()
    for cls in _tensor_classes():
        ForkingPickler.register(cls, reduce_tensor)
