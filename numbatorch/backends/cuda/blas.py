"""Matrix products on device arrays, with the entry points of ``backends.cpu.blas``: the array library's GEMM."""
from ._array import xp


def matmul(a, b):
    """``a @ b`` on the device (cuBLAS through CuPy; numpy under the simulator)."""
    return xp.matmul(a, b)


def matmul_pair(a1, b1, a2, b2):
    """``(a1 @ b1, a2 @ b2)``: a product's two gradients, one after the other on the device's stream."""
    return xp.matmul(a1, b1), xp.matmul(a2, b2)
