"""Missing optional dependencies: each feature names the extra that installs it (the module is made
unimportable with ``sys.modules[name] = None`` in a fresh interpreter), and importing numbatorch and
numbatorch.keras loads none of them."""
import os
import subprocess
import sys
import textwrap

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FIT = """
import numbatorch
from numbatorch.keras import KerasModel
from numbatorch.utils.data import DataLoader, TensorDataset
from tests.keras._helpers import bce_with_logits, ring_net
x, y = numbatorch.randn(20, 2), (numbatorch.rand(20, 1) > 0.5).float()
dl = DataLoader(TensorDataset(x, y), batch_size=10)
KerasModel(ring_net(), bce_with_logits()).fit(dl, dl, epochs=1, ckpt_path=os.path.join(tmp, "c"), cpu=True,
                                              plot={plot}, quiet={quiet})
"""
PROGRESS = """
import io
from numbatorch.keras._progress import EpochProgress
class Tty(io.StringIO):
    def isatty(self):
        return True
EpochProgress(3, "[train]", stream=Tty())
"""


def _run(missing, code, tmp_path):
    script = f"import os, sys\nsys.modules[{missing!r}] = None\ntmp = {str(tmp_path)!r}\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, MPLBACKEND="Agg"))


@pytest.mark.parametrize("missing,code,extra", [
    ("pandas", FIT.format(plot=False, quiet=True), "keras"),
    ("matplotlib", FIT.format(plot=True, quiet=True), "keras"),
    ("tqdm", PROGRESS, "keras"),
    ("tensorboard", "import numbatorch.utils.tensorboard", "tensorboard"),
])
def test_missing_dependency_names_its_extra(missing, code, extra, tmp_path):
    done = _run(missing, code, tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError:") and f"'{missing}'" in last, done.stderr
    assert f"pip install 'numbatorch[{extra}]'" in last, done.stderr


def test_importing_numbatorch_loads_no_optional_dependency():
    code = ("import sys, numbatorch, numbatorch.keras, numbatorch.cli\n"
            "print(sorted(m for m in ('pandas', 'matplotlib', 'tqdm', 'tensorboard', 'sklearn', 'IPython') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
