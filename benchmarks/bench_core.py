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


def relu_fwd_bwd(lib):
    """``relu(x)`` and its backward on a conv layer's 16x32x64x64 output (8 MiB): one memory-bound pass each."""
    x = lib.randn(16, 32, 64, 64, generator=lib.Generator().manual_seed(0)).requires_grad_()
    seed = lib.ones(16, 32, 64, 64)

    def step():
        lib.relu(x).backward(seed)
        x.grad = None
    return step


def inplace_residual_fwd_bwd(lib):
    """A residual block's in-place ops while training, on a conv layer's 16x32x64x64 output, as torchvision's ResNet
    blocks write them: ``relu(inplace=True)`` after the first layer, ``out += identity`` and ``relu(inplace=True)``
    after the second (per-channel scales stand in for the convolutions), then backward."""
    gen = lib.Generator().manual_seed(0)
    x = lib.randn(16, 32, 64, 64, generator=gen).requires_grad_()
    scales = [lib.randn(32, 1, 1, generator=gen).requires_grad_() for _ in range(2)]
    seed = lib.ones(16, 32, 64, 64)

    def step():
        out = lib.nn.functional.relu(x * scales[0], inplace=True)
        out = out * scales[1]
        out += x
        lib.nn.functional.relu(out, inplace=True).backward(seed)
        x.grad = None
        for s in scales:
            s.grad = None
    return step


def inplace_sgd_step(lib):
    """A hand-written SGD-with-momentum step under ``no_grad`` (``buf.mul_(m).add_(g)``, ``p.add_(buf,
    alpha=-lr)``) over the parameters of a 784-1024-256-10 MLP: in-place arithmetic on 4 KB to 3 MB tensors."""
    gen = lib.Generator().manual_seed(0)
    shapes = [(1024, 784), (1024,), (256, 1024), (256,), (10, 256), (10,)]
    params = [lib.randn(*s, generator=gen) for s in shapes]
    grads = [lib.randn(*s, generator=gen) for s in shapes]
    buffers = [lib.zeros(*s) for s in shapes]

    def step():
        with lib.no_grad():
            for p, g, buf in zip(params, grads, buffers):
                buf.mul_(0.9).add_(g)
                p.add_(buf, alpha=-0.01)
    return step


def inplace_adam_step(lib):
    """Adam written by hand as many papers' code does, under ``no_grad``: ``mul_``/``add_``/``addcmul_`` on the
    moments, ``sqrt().add_(eps)`` and ``addcdiv_`` on the parameters of the same MLP as ``inplace_sgd_step``."""
    gen = lib.Generator().manual_seed(0)
    shapes = [(1024, 784), (1024,), (256, 1024), (256,), (10, 256), (10,)]
    params = [lib.randn(*s, generator=gen) for s in shapes]
    grads = [lib.randn(*s, generator=gen) for s in shapes]
    moments = [(lib.zeros(*s), lib.zeros(*s)) for s in shapes]

    def step():
        with lib.no_grad():
            for p, g, (m, v) in zip(params, grads, moments):
                m.mul_(0.9).add_(g, alpha=0.1)
                v.mul_(0.999).addcmul_(g, g, value=0.001)
                p.addcdiv_(m, v.sqrt().add_(1e-8), value=-1e-3)
    return step


WORKLOADS = [
    Workload("tanh_chain_256", tanh_chain, "10 x (tanh(z @ a) * 0.5 + z), 256x256, fwd+bwd", target_ratio=1.0),
    Workload("small_op_overhead", small_op_overhead, "(x + y) * y, sum, backward on 8 elements", warmup=20,
             target_ratio=2.0),
    Workload("relu_fwd_bwd", relu_fwd_bwd, "relu fwd+bwd on 16x32x64x64", target_ratio=1.0),
    Workload("inplace_residual_fwd_bwd", inplace_residual_fwd_bwd, "x * w, relu_, * w, += x, relu_ on "
             "16x32x64x64, fwd+bwd", target_ratio=1.0),
    Workload("inplace_sgd_step", inplace_sgd_step, "SGD momentum step by hand: mul_/add_ on an MLP's parameters",
             target_ratio=1.0),
    Workload("inplace_adam_step", inplace_adam_step, "Adam step by hand: mul_/add_/addcmul_/sqrt/addcdiv_ on an "
             "MLP's parameters", target_ratio=1.0),
]
