"""DTensor: a tensor sharded over a device mesh. numbatorch has none; the type exists for ``isinstance`` checks."""
from ..._tensor import Tensor


class DTensor(Tensor):
    """A tensor distributed over a device mesh; numbatorch does not implement it, so no tensor is one."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise NotImplementedError("numbatorch does not implement torch.distributed.tensor.DTensor yet")

    @staticmethod
    def from_local(*args, **kwargs):
        """Not implemented: numbatorch has no device meshes."""
        raise NotImplementedError("numbatorch does not implement torch.distributed.tensor.DTensor.from_local yet")
