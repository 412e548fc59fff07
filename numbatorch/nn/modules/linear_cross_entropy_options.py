"""``LinearCrossEntropyOptions``: how PyTorch chunks ``linear_cross_entropy`` (accepted here, without effect)."""
import dataclasses

__all__ = ["LinearCrossEntropyOptions"]


@dataclasses.dataclass
class LinearCrossEntropyOptions:
    """How PyTorch chunks ``linear_cross_entropy`` over the batch to save memory.

    numbatorch accepts these options and computes the reference (unchunked) result, which they do not change.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int = None
    chunking_method: str = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None
