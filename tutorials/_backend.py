"""Run a tutorial on numbatorch (the default) or on PyTorch (``--backend torch``) to compare numbers and speed.

The tutorials are PyTorch code: they ask this module for ``torch`` and get either ``numbatorch`` or the real
``torch``. torchkeras and torchvision are not dependencies here, so with ``--backend torch`` their small parts
the tutorials use come from ``_torch_keras.py`` and ``_torch_vision.py``, stand-ins written on plain PyTorch.
"""
import argparse
import os
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("numbatorch", "torch")


class TutorialParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``prog: error: ...``); ``--help`` shows the usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def writable_dir(path):
    """argparse type for --out-dir: the directory, created if needed and checked writable."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise argparse.ArgumentTypeError(f"cannot write to {path!r}: {err.strerror or err}") from None
    return path


def tutorial_parser(name, doc):
    """An argparse parser with the options every tutorial shares: --quick, --backend, --out-dir, --seed."""
    parser = TutorialParser(prog=f"python tutorials/{name}.py", description=doc,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few seconds' version for CI: less data, fewer epochs")
    parser.add_argument("--backend", choices=BACKENDS, default="numbatorch",
                        help="framework to run on (default numbatorch; 'torch' needs PyTorch installed)")
    parser.add_argument("--out-dir", type=writable_dir, default=os.path.join(REPO_ROOT, "tutorials", "_output", name),
                        help=f"where checkpoints, plots and logs go (default tutorials/_output/{name})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


def import_torch(backend):
    """The ``torch`` module of ``backend`` (both load ``nn.functional`` and ``utils.data`` on import)."""
    if backend == "numbatorch":
        if REPO_ROOT not in sys.path:  # run from a checkout without installing the package
            sys.path.insert(0, REPO_ROOT)
        import numbatorch as torch
    elif backend == "torch":
        try:
            import torch
        except ImportError:
            sys.exit("--backend torch needs PyTorch: pip install torch")
    else:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    return torch


def add_device_option(parser):
    """--device {cpu,cuda} (default cpu): where the tutorial's model trains."""
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="train on the CPU (default) or on a CUDA GPU ('cuda' needs one, and for numbatorch "
                             "numbatorch[cuda] installed; NUMBA_ENABLE_CUDASIM=1 simulates it)")


def check_device(torch, device):
    """Exit with a one-line message when ``device`` is 'cuda' and ``torch`` has no CUDA device to use."""
    if device == "cuda" and not torch.cuda.is_available():
        why = ("no CUDA GPU or driver, or numbatorch[cuda] is not installed; NUMBA_ENABLE_CUDASIM=1 simulates a GPU"
               if torch.__name__ == "numbatorch" else "no CUDA GPU or driver, or a CPU-only PyTorch build")
        sys.exit(f"--device cuda: {torch.__name__}.cuda.is_available() is False ({why})")


def import_keras(backend):
    """``KerasModel``, ``summary``, metrics and callbacks: ``numbatorch.keras`` or the PyTorch stand-in."""
    if backend == "numbatorch":
        import_torch(backend)
        import numbatorch.keras as keras
        return keras
    import _torch_keras
    return _torch_keras


def import_vision(backend):
    """(transforms, datasets): ``numbatorch.vision``'s, or torchvision's when installed, else the stand-in."""
    if backend == "numbatorch":
        import_torch(backend)
        from numbatorch.vision import datasets, transforms
        return transforms, datasets
    try:
        from torchvision import datasets, transforms
    except ImportError:
        import _torch_vision as vision
        return vision.transforms, vision.datasets
    return transforms, datasets


class Stopwatch:
    """Wall time since construction, printed as ``wall_time=<seconds>s`` by ``report()``."""

    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.start

    def report(self):
        print(f"wall_time={self.seconds():.1f}s")
