"""``ShapeProp``: run a GraphModule on example inputs and record each node's output shape, dtype and layout."""
from typing import Any, NamedTuple

from ..._size import Size
from ..._tensor import Tensor
from ..interpreter import Interpreter
from ..node import map_aggregate

__all__ = ["ShapeProp", "TensorMetadata"]


class TensorMetadata(NamedTuple):
    """What ``ShapeProp`` stores in ``node.meta['tensor_meta']`` for each tensor a node produces."""
    shape: Size
    dtype: Any
    requires_grad: bool
    stride: tuple
    memory_format: Any
    is_quantized: bool
    qparams: dict


def _extract_tensor_metadata(result):
    import numbatorch
    memory_format = None
    for query in (numbatorch.contiguous_format, numbatorch.channels_last, numbatorch.channels_last_3d):
        if result.is_contiguous(memory_format=query):
            memory_format = query
            break
    return TensorMetadata(result.shape, result.dtype, result.requires_grad, result.stride(), memory_format, False,
                          {})


class ShapeProp(Interpreter):
    """``ShapeProp(gm).propagate(*args)`` runs ``gm`` and sets ``node.meta['tensor_meta']`` (a TensorMetadata,
    or a structure of them for nodes returning several tensors) and ``node.meta['type']``."""

    def __init__(self, gm, fake_mode=None):
        super().__init__(gm)
        self.fake_mode = fake_mode

    def run_node(self, n):
        result = super().run_node(n)
        found_tensor = []

        def extract(obj):
            if isinstance(obj, Tensor):
                found_tensor.append(True)
                return _extract_tensor_metadata(obj)
            return obj
        meta = map_aggregate(result, extract)
        if found_tensor:
            n.meta["tensor_meta"] = meta
        n.meta["type"] = type(result)
        return result

    def propagate(self, *args):
        """Run the module on ``args``, recording metadata on every node; returns the module's result."""
        return self.run(*args)
