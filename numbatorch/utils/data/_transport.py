"""Serialising batches between worker and main process.

Workers pickle each batch themselves (instead of letting ``multiprocessing.Queue``'s
feeder thread do it) so that an unpicklable batch becomes an error the main process
sees, rather than a message silently lost and a main process waiting forever.
Tensors travel as their numpy buffers (pickle protocol 5, no extra copies).
"""
import io
import pickle

import numbatorch


def _rebuild_tensor(array, requires_grad):
    tensor = numbatorch.from_numpy(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


class _BatchPickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, numbatorch.Tensor):
            try:
                array = obj.detach().numpy()
            except (TypeError, RuntimeError, AttributeError):
                return NotImplemented  # let the Tensor pickle itself
            return _rebuild_tensor, (array, bool(getattr(obj, "requires_grad", False)))
        return NotImplemented


def dumps(obj):
    buffer = io.BytesIO()
    _BatchPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def loads(data):
    return pickle.loads(data)
