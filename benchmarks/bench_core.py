"""Core autograd workloads: a matmul/tanh chain and the per-op overhead of tiny tensors."""
from _common import Workload


def tanh_chain(lib, size=256, layers=10):
    """``z = tanh(z @ a) * 0.5 + z`` ten times on 256x256, then backward: BLAS plus elementwise kernels."""
    gen = lib.Generator().manual_seed(0)
    z0 = lib.randn(size, size, generator=gen)
    weights = [(lib.randn(size, size, generator=gen) / size ** 0.5).requires_grad_() for _ in range(layers)]
    seed = lib.ones(size, size)

    def step():
        z = z0
        for a in weights:
            z = lib.tanh(z @ a) * 0.5 + z
        z.backward(seed)
        for a in weights:
            a.grad = None
    return step


def small_op_overhead(lib):
    """add + mul + sum + backward on 8-element tensors: nearly all Python/dispatch overhead."""
    x = lib.randn(8, requires_grad=True)
    y = lib.randn(8, requires_grad=True)

    def step():
        ((x + y) * y).sum().backward()
        x.grad = None
        y.grad = None
    return step


WORKLOADS = [
    Workload("tanh_chain_256", tanh_chain, "10 x (tanh(z @ a) * 0.5 + z), 256x256, fwd+bwd", target_ratio=1.5),
    Workload("small_op_overhead", small_op_overhead, "(x + y) * y, sum, backward on 8 elements", warmup=20,
             target_ratio=2.0),
]
