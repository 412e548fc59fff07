"""``ReduceOp``: the reductions of ``all_reduce``, ``reduce`` and ``reduce_scatter``."""
import enum

__all__ = ["ReduceOp"]


class RedOpType(enum.Enum):
    """The reduction kinds (``ReduceOp.SUM`` is ``ReduceOp.RedOpType.SUM``, as in PyTorch)."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"


class ReduceOp:
    """Element-wise reductions across ranks: SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


def mpi_op(op, MPI, dtype):
    """The MPI operation for ``op`` (AVG is an MPI SUM divided afterwards), checked against ``dtype``."""
    if not isinstance(op, RedOpType):
        raise ValueError(f"op must be a ReduceOp such as ReduceOp.SUM, got {op!r}")
    if op is RedOpType.AVG and dtype.kind not in "fc":
        raise ValueError(f"ReduceOp.AVG needs a floating-point tensor, got dtype {dtype}")
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and dtype.kind not in "iub":
        raise ValueError(f"ReduceOp.{op.name} needs an integer or bool tensor, got dtype {dtype}")
    if dtype.kind == "b":
        # MPI defines only logical reductions on booleans: sum and max are "or", product and min are "and"
        return {RedOpType.SUM: MPI.LOR, RedOpType.PRODUCT: MPI.LAND, RedOpType.MIN: MPI.LAND,
                RedOpType.MAX: MPI.LOR, RedOpType.BAND: MPI.LAND, RedOpType.BOR: MPI.LOR,
                RedOpType.BXOR: MPI.LXOR}[op]
    return {RedOpType.SUM: MPI.SUM, RedOpType.AVG: MPI.SUM, RedOpType.PRODUCT: MPI.PROD,
            RedOpType.MIN: MPI.MIN, RedOpType.MAX: MPI.MAX, RedOpType.BAND: MPI.BAND,
            RedOpType.BOR: MPI.BOR, RedOpType.BXOR: MPI.BXOR}[op]
