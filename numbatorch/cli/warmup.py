"""``python -m numbatorch warmup``: compile the common kernels ahead of time.

Numba compiles a kernel at its first call and caches the machine code on disk (``cache=True``), so the
first training run of a fresh install pays the compile time. ``warmup`` runs tiny float32 forward and
backward passes of the common layers in-process, once on small shapes (serial kernels) and once on shapes
large enough for the parallel variants (compiled at once here; a training run compiles a parallel build only
after its serial twin has run for a second, or loads it from the cache), so later runs load everything from
the cache. Kernels with a numpy stand-in (``backends/cpu/_tiered.py``) compile here too, where a training run
would run the stand-in for a while.
"""
import time

__all__ = ["register", "run_warmup", "FAMILIES"]


def _backward(*outputs):
    total = None
    for out in outputs:
        s = out.float().sum()
        total = s if total is None else total + s
    total.backward()


def _conv(torch, nn, F, batch, size):
    x = torch.randn(batch, 3, size, size, requires_grad=True)
    conv = nn.Conv2d(3, 16, 3, padding=1)
    winograd = nn.Conv2d(16, 16, 3, padding=1)     # 16+ channels, 24+ wide: the Winograd kernels at (16, 32)
    rows = nn.Conv2d(16, 16, 5, padding=2)  # channels * kernel width >= 64, stride 1: the row-offset path
    strided = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=4)
    pointwise = nn.Conv2d(16, 8, 1)
    up = nn.ConvTranspose2d(8, 4, 2, stride=2)
    y = up(pointwise(strided(rows(winograd(conv(x))))))
    seq = torch.randn(batch, 4, size * 4, requires_grad=True)
    z = nn.Conv1d(4, 8, 5, padding=2)(seq)
    wide = torch.randn(batch, 16, 4, size * 2, requires_grad=True)     # 48+ wide at (16, 32): F(4x4, 3x3)'s kernels
    _backward(y, z, winograd(wide))


def _pool(torch, nn, F, batch, size):
    x = torch.randn(batch, 16, size, size, requires_grad=True)
    outs = [F.max_pool2d(x, 2), F.max_pool2d(x, 3, stride=2, padding=1), F.avg_pool2d(x, 2),
            F.adaptive_avg_pool2d(x, 1), F.adaptive_max_pool2d(x, 1), F.adaptive_max_pool2d(x, 2),
            F.max_pool1d(x.flatten(2), 2)]
    _backward(*outs)


def _norm(torch, nn, F, batch, size):
    x = torch.randn(batch, 16, size, size, requires_grad=True)
    v = torch.randn(batch * size, 32, requires_grad=True)
    bn2, bn1 = nn.BatchNorm2d(16), nn.BatchNorm1d(32)
    outs = [bn2(x), nn.GroupNorm(4, 16)(x), nn.LayerNorm(32)(v), bn1(v)]
    bn2.eval()
    bn1.eval()
    outs += [bn2(x), bn1(v)]
    _backward(*outs)


def _resample(torch, nn, F, batch, size):
    x = torch.randn(batch, 16, size, size, requires_grad=True)
    outs = [F.interpolate(x, scale_factor=2, mode=mode) for mode in ("nearest", "bilinear")]
    outs.append(F.interpolate(x, size=(size + 3, size - 1), mode="bilinear", align_corners=True))
    _backward(*outs)


def _rnn(torch, nn, F, batch, size):
    x = torch.randn(batch, size, 8, requires_grad=True)
    outs = []
    for cls in (nn.RNN, nn.GRU, nn.LSTM):
        for bidirectional in (False, True):
            outs.append(cls(8, 16, num_layers=2, batch_first=True, bidirectional=bidirectional)(x)[0])
    _backward(*outs)


def _attention(torch, nn, F, batch, size):
    x = torch.randn(batch, size, 32, requires_grad=True)
    mha = nn.MultiheadAttention(32, 4, batch_first=True)
    mask = torch.triu(torch.ones(size, size, dtype=torch.bool), diagonal=1)
    q = torch.randn(batch, 4, size, 8, requires_grad=True)
    outs = [mha(x, x, x)[0], mha(x, x, x, attn_mask=mask)[0],
            F.scaled_dot_product_attention(q, q, q, is_causal=True),
            nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, batch_first=True)(x)]
    _backward(*outs)


def _pointwise(torch, nn, F, batch, size):
    x = torch.randn(batch * 64, size, requires_grad=True)
    target = torch.randint(0, size, (batch * 64,))
    outs = [F.relu(x), torch.sigmoid(x), torch.tanh(x), F.gelu(x), F.silu(x), F.leaky_relu(x), F.relu6(x),
            F.hardswish(x), F.hardsigmoid(x), F.softmax(x, dim=1),
            F.log_softmax(x, dim=1), F.dropout(x, 0.5), F.cross_entropy(x, target),
            F.binary_cross_entropy_with_logits(x, torch.rand(x.shape)), F.mse_loss(x, torch.zeros(x.shape))]
    _backward(*outs)
    torch.optim.Adam([x]).step()  # its fused update kernel
    with torch.no_grad():  # a hand-written optimizer's fused in-place kernels
        x.add_(x.grad, alpha=-0.1)
        x.addcmul_(x.grad, x.grad, value=0.1)
        x.addcdiv_(x.grad, x.grad.abs() + 1, value=0.1)
        x.lerp_(x.grad, 0.1)
        x.relu_()
        x.abs().sqrt()
    if batch >= 16:  # 1 MiB: the kernels that run from 512 KiB on (smaller arrays keep numpy forms or others)
        wide = torch.randn(256, 1024, requires_grad=True)
        rows = wide.reshape(2048, 128)
        _backward(torch.tanh(wide), F.gelu(wide), F.gelu(wide, approximate="tanh"), F.softplus(wide),
                  F.logsigmoid(wide), F.mish(wide), F.binary_cross_entropy_with_logits(wide, torch.rand(wide.shape)),
                  *(op(rows, dim) for op in (F.softmax, F.log_softmax) for dim in (1, 0)),
                  nn.LayerNorm(128)(rows), F.layer_norm(rows, (128,)))
        # the losses' kernels: a mean (scalar gradient), elementwise with a gradient per element, a target's gradient
        target = torch.rand(wide.shape)
        _backward(F.elu(wide), F.selu(wide), F.celu(wide), F.mse_loss(wide, target), F.huber_loss(wide, target),
                  F.smooth_l1_loss(wide, target, reduction="none") * wide, F.l1_loss(wide, wide * 0.5))
        from ..backends.cpu import _spin_pool
        _spin_pool.warm()  # its helpers' and jobs' kernels (backends/cpu/_spin_pool.py)
    if batch >= 16:  # a per-channel scale's and shift's 2 MiB gradients: the broadcast kernels and their sums
        scale = torch.ones(32, 1, 1, requires_grad=True)
        (torch.randn(batch, 32, 32, 32) * scale + scale).backward(torch.ones(batch, 32, 32, 32))


# name -> (what it compiles, function of (torch, nn, F, batch, size))
FAMILIES = {
    "conv": ("Conv1d/Conv2d (strided, grouped, 1x1), ConvTranspose2d", _conv),
    "pool": ("max/avg/adaptive pooling", _pool),
    "norm": ("BatchNorm (train and eval), GroupNorm, LayerNorm", _norm),
    "resample": ("interpolate/Upsample (nearest, bilinear)", _resample),
    "rnn": ("RNN, GRU, LSTM (2 layers, uni- and bidirectional)", _rnn),
    "attention": ("MultiheadAttention (with masks), scaled_dot_product_attention, TransformerEncoderLayer",
                  _attention),
    "pointwise": ("activations (ReLU, LeakyReLU, ReLU6, Hardswish, Hardsigmoid, SiLU, GELU, ELU, Softplus, "
                  "LogSigmoid, Mish, ...), softmax, LayerNorm, dropout, common losses, Adam's update, sqrt, "
                  "in-place add_/addcmul_/addcdiv_/lerp_/relu_, broadcast arithmetic and its gradient sums, the spin "
                  "pool's jobs",
                  _pointwise),
}
# (batch, spatial/sequence size): small shapes take the serial kernels, the larger ones the parallel ones.
_SHAPES = ((2, 8), (16, 32))


def register(subparsers):
    """Add the ``warmup`` sub-parser."""
    parser = subparsers.add_parser(
        "warmup", help="compile (and cache) the common kernels now instead of during the first training run",
        description="Run tiny float32 forward and backward passes of the common layers so that Numba compiles "
                    "their kernels and caches them on disk; later processes load them from the cache. "
                    "Families: " + "; ".join(f"{name}: {what}" for name, (what, _) in FAMILIES.items()) + ".")
    parser.add_argument("--only", nargs="+", choices=sorted(FAMILIES), metavar="FAMILY",
                        help=f"warm up only these families (choices: {', '.join(FAMILIES)}; default all)")
    parser.set_defaults(func=run_warmup)


def run_warmup(args):
    """Warm up the chosen families, printing each one's time; returns 0, or 1 when one of them failed."""
    import numbatorch as torch
    import numbatorch.nn.functional as F
    from numbatorch import nn
    from ..backends.cpu import _parallel, _tiered
    from .info import kernel_cache_dir

    names = args.only or list(FAMILIES)
    torch.manual_seed(0)
    failed = []
    start = time.perf_counter()
    # the larger shapes are for the parallel builds: compile them now rather than after a second of serial runs
    after_seconds, _parallel.PARALLEL_AFTER_SECONDS = _parallel.PARALLEL_AFTER_SECONDS, 0.0
    # and every kernel, where a training run would use its numpy stand-in for a while
    stand_in_seconds, _tiered.STAND_IN_SECONDS = _tiered.STAND_IN_SECONDS, 0.0
    try:
        for name in names:
            t0 = time.perf_counter()
            try:
                for batch, size in _SHAPES:
                    FAMILIES[name][1](torch, nn, F, batch, size)
            except Exception as err:  # report every family, then fail
                failed.append(name)
                print(f"{name:<10} failed: {type(err).__name__}: {err}", flush=True)
                continue
            print(f"{name:<10} {time.perf_counter() - t0:7.1f} s", flush=True)
    finally:
        _parallel.PARALLEL_AFTER_SECONDS = after_seconds
        _tiered.STAND_IN_SECONDS = stand_in_seconds
    print(f"{'total':<10} {time.perf_counter() - start:7.1f} s; kernels cached in {kernel_cache_dir()}")
    return 1 if failed else 0
