"""``import numbatorch`` loads no subpackage or optional library it does not need; they load on first use."""
import os
import subprocess
import sys
import textwrap

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CODE = """
import sys
import numbatorch
deferred = ("numbatorch.nn", "numbatorch.optim", "numbatorch.distributed", "numbatorch.utils", "numbatorch.vision",
            "numbatorch.keras", "numbatorch.fx", "numbatorch.serialization", "numbatorch.amp",
            "numbatorch._functional_aliases", "torch", "scipy.linalg", "pandas",
            "matplotlib", "tqdm", "tensorboard", "sklearn", "mpi4py", "PIL")
loaded = [name for name in deferred if name in sys.modules]
assert not loaded, f"import numbatorch loaded {loaded}"
layer = numbatorch.nn.Linear(2, 3)
assert isinstance(layer, numbatorch.nn.modules.linear.Linear)
assert numbatorch.optim.SGD(layer.parameters(), lr=0.1).defaults["lr"] == 0.1
assert numbatorch.conv2d is numbatorch.nn.functional.conv2d
from numbatorch import layer_norm, max_pool2d
assert max_pool2d is numbatorch.nn.functional.max_pool2d and callable(layer_norm)
assert numbatorch.load is numbatorch.serialization.load and numbatorch.autocast is numbatorch.amp.autocast
assert {"nn", "optim", "conv2d", "layer_norm", "vision", "save", "autocast"} <= set(dir(numbatorch))
assert not hasattr(numbatorch, "no_such_name")
import numbatorch.vision.transforms
assert numbatorch.vision.transforms is sys.modules["numbatorch.vision.transforms"]
"""


def test_import_defers_subpackages():
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(CODE)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
