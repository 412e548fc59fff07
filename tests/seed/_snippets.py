"""Run a tutorial snippet under PyTorch and under numbatorch and capture what each prints."""
import contextlib
import io
import math
import re

_IMPORTS = [
    (r"^import torch\.nn\.functional as F", "import numbatorch.nn.functional as F"),
    (r"^from torch import nn", "from numbatorch import nn"),
    (r"^import torch\b", "import numbatorch as torch"),
]


def as_numbatorch(code):
    """The snippet with its PyTorch imports replaced by numbatorch's, nothing else changed."""
    for pattern, replacement in _IMPORTS:
        code = re.sub(pattern, replacement, code, flags=re.M)
    return code


def run(code, extra_globals=None):
    """Execute ``code`` and return (stdout, namespace)."""
    namespace = {"__name__": "__snippet__", "math": math}
    namespace.update(extra_globals or {})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), namespace)
    return out.getvalue(), namespace


def printed_alike(code, seed=0):
    """(numbatorch's output, PyTorch's output) with the module name normalised, or None without PyTorch."""
    import pytest
    torch = pytest.importorskip("torch")
    import numbatorch
    torch.manual_seed(seed)
    numbatorch.manual_seed(seed)
    th_out, _ = run(code)
    nb_out, _ = run(as_numbatorch(code))
    return nb_out.replace("numbatorch.", "torch."), th_out
