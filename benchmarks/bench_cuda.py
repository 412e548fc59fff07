"""numbatorch on 'cuda' beside PyTorch on 'cuda': the issue-11 workloads, timed in one run, printed as ratios.

Usage: python benchmarks/bench_cuda.py [--smoke] [--repeats N] [--min-time S] [--filter NAME]

Every workload is built once per framework on its CUDA device, warmed up (numba.cuda compiles its kernels
on first launch), then timed ``--repeats`` times, alternating the frameworks; each timing synchronizes the
device before reading the clock on both sides, so queued kernels are counted. Prints the median time per
iteration, numbatorch / PyTorch, and the issue's target where it has one.

``--smoke`` runs the same code at tiny sizes, one call each (compilation included in its time), and checks
that every result is on its framework's device: with ``NUMBA_ENABLE_CUDASIM=1`` it tests this script without a
GPU (PyTorch then runs on its CPU). This file defines no ``WORKLOADS`` list, so ``run.py`` (CPU timings) does
not pick it up.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # bench modules
sys.path.insert(0, os.path.dirname(HERE))  # numbatorch without installing it

from bench_conv import _cifar2_net  # noqa: E402

# Full sizes (the issue's) and the simulator's tiny ones (cifar2_batch: None keeps each workload's batch).
FULL = dict(cifar2_image=32, cifar2_batch=None, conv=(8, 64, 32, 128), bn=(32, 16, 128), pool=(16, 32, 64),
            rnn=(8, 200, 64), softmax=(64, 200), heads=8)
SMOKE = dict(cifar2_image=16, cifar2_batch=2, conv=(1, 4, 2, 8), bn=(2, 3, 6), pool=(1, 2, 6), rnn=(2, 3, 8),
             softmax=(2, 5), heads=2)


def cifar2_train(batch):
    """Forward, BCEWithLogits, backward and Adam step of the cifar2 tutorial network."""
    def make(lib, device, size):
        net = _cifar2_net(lib).to(device)
        image, n = size["cifar2_image"], size["cifar2_batch"] or batch
        x = lib.randn(n, 3, image, image, device=device)
        y = (lib.rand(n, 1, device=device) > 0.5).float()
        loss_fn = lib.nn.BCEWithLogitsLoss()
        opt = lib.optim.Adam(net.parameters(), lr=0.01)

        def step():
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            return loss
        return step
    return make


def conv_forward(lib, device, size):
    n, c_in, c_out, hw = size["conv"]
    conv = lib.nn.Conv2d(c_in, c_out, 3).to(device)
    x = lib.randn(n, c_in, hw, hw, device=device)

    def step():
        with lib.no_grad():
            return conv(x)
    return step


def _fwd_bwd(lib, module, x, call):
    """One forward + backward of ``call(module, x)``; gradients are dropped each time."""
    params = list(module.parameters())

    def step():
        out = call(module, x)
        out.sum().backward()
        x.grad = None
        for p in params:
            p.grad = None
        return out
    return step


def batchnorm(lib, device, size):
    n, c, hw = size["bn"]
    bn = lib.nn.BatchNorm2d(c).to(device)
    x = lib.randn(n, c, hw, hw, device=device, requires_grad=True)
    return _fwd_bwd(lib, bn, x, lambda m, t: m(t))


def maxpool(lib, device, size):
    n, c, hw = size["pool"]
    x = lib.randn(n, c, hw, hw, device=device, requires_grad=True)
    return _fwd_bwd(lib, lib.nn.MaxPool2d(2, 2), x, lambda m, t: m(t))


def softmax(lib, device, size):
    """Softmax over the last dim of attention-score-shaped input (batch x heads, seq, seq), fwd + bwd."""
    rows, seq = size["softmax"]
    x = lib.randn(rows, seq, seq, device=device, requires_grad=True)
    return _fwd_bwd(lib, lib.nn.Softmax(dim=-1), x, lambda m, t: m(t))


def _sequence(lib, device, size):
    batch, seq, features = size["rnn"]
    return lib.randn(batch, seq, features, device=device, requires_grad=True), features


def lstm(lib, device, size):
    x, features = _sequence(lib, device, size)
    return _fwd_bwd(lib, lib.nn.LSTM(features, features // 2, batch_first=True).to(device), x, lambda m, t: m(t)[0])


def gru(lib, device, size):
    x, features = _sequence(lib, device, size)
    return _fwd_bwd(lib, lib.nn.GRU(features, features // 2, batch_first=True).to(device), x, lambda m, t: m(t)[0])


def attention(lib, device, size):
    x, features = _sequence(lib, device, size)
    mha = lib.nn.MultiheadAttention(features, size["heads"], batch_first=True).to(device)
    return _fwd_bwd(lib, mha, x, lambda m, t: m(t, t, t)[0])


def encoder(lib, device, size):
    x, features = _sequence(lib, device, size)
    layer = lib.nn.TransformerEncoderLayer(d_model=features, nhead=size["heads"], dim_feedforward=2 * features,
                                           batch_first=True)
    module = lib.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).to(device)
    return _fwd_bwd(lib, module, x, lambda m, t: m(t))


# (name, make(lib, device, size), description, target ratio)
WORKLOADS_CUDA = [
    ("cifar2_train_b50", cifar2_train(50), "cifar2 net fwd+BCE+bwd+Adam, batch 50", None),
    ("cifar2_train_b512", cifar2_train(512), "cifar2 net fwd+BCE+bwd+Adam, batch 512", 3.0),
    ("conv2d_64_32_fwd", conv_forward, "Conv2d 64->32 3x3 forward on 8x64x128x128", None),
    ("batchnorm2d_fwd_bwd", batchnorm, "BatchNorm2d(16) train fwd+bwd on 32x16x128x128", 1.5),
    ("maxpool2d_fwd_bwd", maxpool, "MaxPool2d(2,2) fwd+bwd on 16x32x64x64", 1.5),
    ("softmax_fwd_bwd", softmax, "softmax(dim=-1) fwd+bwd on 64x200x200", 1.5),
    ("lstm_64_32", lstm, "LSTM(64->32) fwd+bwd on 8x200x64", None),
    ("gru_64_32", gru, "GRU(64->32) fwd+bwd on 8x200x64", None),
    ("mha_64_h8", attention, "MultiheadAttention(64, 8) fwd+bwd on 8x200x64", None),
    ("transformer_encoder_2x64", encoder, "2-layer TransformerEncoder(64, 8, ff 128) fwd+bwd on 8x200x64", None),
]


class Framework:
    """A framework module, the device it runs on, and how to wait for that device."""

    def __init__(self, name, lib, device):
        self.name, self.lib, self.device = name, lib, device

    def synchronize(self):
        if self.device == "cuda":
            self.lib.cuda.synchronize()


def _timed(step, number, fw):
    fw.synchronize()
    start = time.perf_counter()
    for _ in range(number):
        step()
    fw.synchronize()
    return (time.perf_counter() - start) / number


def _calibrate(step, fw, warmup, min_time):
    """Warm ``step`` up; the number of calls that lasts about ``min_time`` seconds."""
    for _ in range(warmup):
        step()
    return max(1, int(min_time / max(_timed(step, 1, fw), 1e-7)))


def _check_on_device(name, result, fw):
    """``--smoke``: the workload really ran on the framework's device (a silent CPU fallback fails)."""
    if result.device.type != fw.device:
        raise AssertionError(f"{name}: {fw.name}'s result is on {result.device}, not {fw.device}")


def smoke(name, make, frameworks, size):
    """``--smoke``: one call of each framework's step, its result checked to be on the device, and its time."""
    times = {}
    for fw in frameworks:
        fw.lib.manual_seed(0)
        step = make(fw.lib, fw.device, size)
        fw.synchronize()
        start = time.perf_counter()
        result = step()
        fw.synchronize()
        times[fw.name] = time.perf_counter() - start
        _check_on_device(name, result, fw)
    return times


def measure(name, make, frameworks, size, args):
    """Median seconds per iteration for each framework, alternating them over the repeats."""
    steps, numbers = {}, {}
    for fw in frameworks:
        fw.lib.manual_seed(0)
        steps[fw.name] = make(fw.lib, fw.device, size)
        numbers[fw.name] = _calibrate(steps[fw.name], fw, args.warmup, args.min_time)
    samples = {fw.name: [] for fw in frameworks}
    for _ in range(args.repeats):
        for fw in frameworks:
            samples[fw.name].append(_timed(steps[fw.name], numbers[fw.name], fw))
    return {k: statistics.median(v) for k, v in samples.items()}


def _fmt(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def frameworks_for(args):
    """numbatorch on 'cuda', and PyTorch on 'cuda' (on its CPU under ``--smoke`` without a CUDA PyTorch)."""
    import numbatorch
    if not numbatorch.cuda.is_available():
        raise SystemExit("numbatorch.cuda.is_available() is False: needs a GPU with numbatorch[cuda], or "
                         "NUMBA_ENABLE_CUDASIM=1 with --smoke")
    found = [Framework("numbatorch", numbatorch, "cuda")]
    try:
        import torch
    except ImportError:
        if not args.smoke:
            raise SystemExit("PyTorch is not installed: nothing to compare with") from None
        return found
    if torch.cuda.is_available():
        found.append(Framework("pytorch", torch, "cuda"))
    elif args.smoke:
        found.append(Framework("pytorch", torch, "cpu"))
    else:
        raise SystemExit("torch.cuda.is_available() is False: PyTorch with CUDA is needed for the comparison")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, one call each, results checked to be on the device (runs in the simulator)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per framework (default 5)")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per repeat (default 0.2)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (default 3)")
    parser.add_argument("--filter", default="", help="run only workloads whose name contains this text")
    args = parser.parse_args(argv)
    frameworks = frameworks_for(args)
    size = SMOKE if args.smoke else FULL
    names = " vs ".join(f"{fw.name} on {fw.device}" for fw in frameworks)
    print(f"{names}{' (smoke: tiny sizes)' if args.smoke else ''}")
    header = f"{'workload':28s} {'numbatorch':>11s} {'pytorch':>11s} {'ratio':>8s} {'target':>7s}"
    print(header)
    print("-" * len(header))
    for name, make, description, target in WORKLOADS_CUDA:
        if args.filter not in name:
            continue
        times = smoke(name, make, frameworks, size) if args.smoke else measure(name, make, frameworks, size, args)
        ours, theirs = times["numbatorch"], times.get("pytorch")
        ratio = f"{ours / theirs:.2f}x" if theirs else "-"
        print(f"{name:28s} {_fmt(ours):>11s} {_fmt(theirs) if theirs else '-':>11s} {ratio:>8s} "
              f"{f'{target:g}x' if target else '':>7s}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
