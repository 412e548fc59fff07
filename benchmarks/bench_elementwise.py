"""Elementwise ops, activations, softmax and losses, forward + backward on a conv layer's 16x32x64x64 float32
output, beside PyTorch: a survey of the ops other people's models call on large tensors.

    python benchmarks/bench_elementwise.py [--threads N] [--repeats N] [NAME ...]

A stand-alone script (no ``WORKLOADS``, so ``run.py`` skips it: the whole survey takes about a minute). Each op's
step is ``y = op(x)``, then ``y.backward(ones)`` (or ``backward()`` of a scalar) with ``x`` a leaf requiring grad;
kernels compile before timing (no numpy stand-ins). Prints the median time per step of each framework and the
ratio numbatorch / PyTorch, marking ratios above 1.2.
"""
import argparse
import statistics
import time

SHAPE = (16, 32, 64, 64)

# name -> op(F, lib, x): F is lib.nn.functional
OPS = {
    "relu": lambda F, L, x: F.relu(x),
    "leaky_relu": lambda F, L, x: F.leaky_relu(x, 0.2),
    "relu6": lambda F, L, x: F.relu6(x),
    "hardtanh": lambda F, L, x: F.hardtanh(x),
    "hardswish": lambda F, L, x: F.hardswish(x),
    "hardsigmoid": lambda F, L, x: F.hardsigmoid(x),
    "silu": lambda F, L, x: F.silu(x),
    "gelu": lambda F, L, x: F.gelu(x),
    "gelu_tanh": lambda F, L, x: F.gelu(x, approximate="tanh"),
    "elu": lambda F, L, x: F.elu(x),
    "selu": lambda F, L, x: F.selu(x),
    "celu": lambda F, L, x: F.celu(x),
    "mish": lambda F, L, x: F.mish(x),
    "softplus": lambda F, L, x: F.softplus(x),
    "logsigmoid": lambda F, L, x: F.logsigmoid(x),
    "softsign": lambda F, L, x: F.softsign(x),
    "sigmoid": lambda F, L, x: L.sigmoid(x),
    "tanh": lambda F, L, x: L.tanh(x),
    "exp": lambda F, L, x: L.exp(x),
    "log(|x| + 1)": lambda F, L, x: L.log(x.abs() + 1),
    "sqrt(|x|)": lambda F, L, x: L.sqrt(x.abs()),
    "x ** 2": lambda F, L, x: x ** 2,
    "x.pow(3)": lambda F, L, x: x.pow(3),
    "abs": lambda F, L, x: x.abs(),
    "clamp": lambda F, L, x: x.clamp(-0.5, 0.5),
    "square": lambda F, L, x: L.square(x),
    "neg": lambda F, L, x: -x,
    "sin": lambda F, L, x: L.sin(x),
    "where": lambda F, L, x: L.where(x > 0, x, x * 0.1),
    "maximum": lambda F, L, x: L.maximum(x, x * 0.5),
    "rsqrt(|x| + 1)": lambda F, L, x: L.rsqrt(x.abs() + 1),
    "reciprocal(|x| + 1)": lambda F, L, x: L.reciprocal(x.abs() + 1),
    "softmax(dim=-1)": lambda F, L, x: F.softmax(x, dim=-1),
    "log_softmax(dim=-1)": lambda F, L, x: F.log_softmax(x, dim=-1),
    "mean": lambda F, L, x: x.mean(),
    "sum(dim=(2, 3))": lambda F, L, x: x.sum(dim=(2, 3)),
    "var(dim=1)": lambda F, L, x: x.var(dim=1),
    "norm": lambda F, L, x: x.norm(),
    "layer_norm(64)": lambda F, L, x: F.layer_norm(x, (64,)),
    "dropout(0.5)": lambda F, L, x: F.dropout(x, 0.5),
    "mse_loss": lambda F, L, x: F.mse_loss(x, x.detach() * 0.5),
    "l1_loss": lambda F, L, x: F.l1_loss(x, x.detach() * 0.5),
    "smooth_l1_loss": lambda F, L, x: F.smooth_l1_loss(x, x.detach() * 0.5),
    "bce_with_logits": lambda F, L, x: F.binary_cross_entropy_with_logits(x, (x.detach() > 0).float()),
}


def _median_step(lib, op, repeats):
    F = lib.nn.functional
    x = lib.randn(*SHAPE, generator=lib.Generator().manual_seed(0)).requires_grad_()

    def step():
        y = op(F, lib, x)
        y.backward() if y.dim() == 0 else y.backward(lib.ones_like(y))
        x.grad = None
    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"ops to run (default all): {', '.join(OPS)}")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    import numbatorch
    import torch
    from numbatorch.backends.cpu import _parallel, _tiered

    _parallel.PARALLEL_AFTER_SECONDS = 0.0  # steady state: the kernels, not their stand-ins or serial builds
    _tiered.STAND_IN_SECONDS = 0.0
    numbatorch.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    print(f"{'op':22s} {'numbatorch':>12s} {'pytorch':>10s} {'ratio':>7s}   ({args.threads} threads, fwd+bwd on "
          f"{'x'.join(map(str, SHAPE))} float32)")
    for name in args.names or OPS:
        ours, theirs = (_median_step(lib, OPS[name], args.repeats) for lib in (numbatorch, torch))
        mark = "  <<<" if ours > 1.2 * theirs else ""
        print(f"{name:22s} {ours * 1e3:9.2f} ms {theirs * 1e3:7.2f} ms {ours / theirs:6.2f}x{mark}", flush=True)


if __name__ == "__main__":
    main()
