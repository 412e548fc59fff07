"""``torch.distributed.tensor`` (DTensor): its names exist so programs that import them or test
``isinstance(x, DTensor)`` run, but numbatorch does not shard tensors over device meshes (its distributed
training is data parallel over MPI: ``DistributedDataParallel``), so creating any of them raises
``NotImplementedError`` naming the PyTorch API. No numbatorch tensor is a DTensor."""
from ..._alias_import import MissingFeatureError

__all__ = ["DTensor", "Partial", "Placement", "Replicate", "Shard", "distribute_module", "distribute_tensor",
           "empty", "full", "ones", "rand", "randn", "zeros"]

_REASON = "DTensor sharding over device meshes is not implemented (numbatorch trains data parallel with DDP)"


def _unsupported(name):
    return MissingFeatureError(f"numbatorch does not implement torch.distributed.tensor.{name}: {_REASON}")


class _Unconstructible:
    def __new__(cls, *args, **kwargs):
        raise _unsupported(cls.__name__)


class DTensor(_Unconstructible):
    """A tensor sharded or replicated over a device mesh (never created here: see the module docstring)."""


class Placement(_Unconstructible):
    """How a DTensor is laid out on one mesh dimension."""


class Shard(Placement):
    """A DTensor placement split along one tensor dimension."""


class Replicate(Placement):
    """A DTensor placement with a full copy on every rank."""


class Partial(Placement):
    """A DTensor placement holding partial values still to be reduced."""


def _function(name, summary):
    def unsupported(*args, **kwargs):
        raise _unsupported(name)
    unsupported.__name__ = unsupported.__qualname__ = name
    unsupported.__doc__ = f"{summary} (raises NotImplementedError: see the module docstring)."
    return unsupported


distribute_tensor = _function("distribute_tensor", "Shard a tensor over a device mesh")
distribute_module = _function("distribute_module", "Shard a module's parameters over a device mesh")
empty, full, ones, rand, randn, zeros = (_function(name, f"``torch.{name}`` as a DTensor")
                                         for name in ("empty", "full", "ones", "rand", "randn", "zeros"))
