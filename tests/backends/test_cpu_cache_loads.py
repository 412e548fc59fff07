"""Kernels loaded from Numba's disk cache run without Numba's compiler registries and without compiling Numba's
runtime; a compile still loads the registries."""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUT = np.linspace(-30, 30, 257)

# sigmoid through its Numba kernel in each dtype of argv; after each, whether Numba's registries are loaded
_PROGRAM = """
import json, sys
import numpy as np
import numbatorch
from numbatorch.backends.cpu import _cache_loads
out = {}
for dtype in sys.argv[1:]:
    y = numbatorch.sigmoid(numbatorch.from_numpy(np.linspace(-30, 30, 257).astype(dtype)))
    out[dtype] = dict(y=y.numpy().tolist(), registries="numba.np.arraymath" in sys.modules)
out["runtime_loaded"] = _cache_loads.runtime_loaded_from is not None
print(json.dumps(out))
"""


def _run(cache_dir, *dtypes):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", _PROGRAM, *dtypes], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cached_kernel_loads_without_registries_and_a_compile_loads_them(tmp_path):
    torch = pytest.importorskip("torch")
    compiled = _run(tmp_path, "float32")  # compiles the float32 build and the runtime into the empty cache
    assert compiled["float32"]["registries"] and not compiled["runtime_loaded"]
    loaded = _run(tmp_path, "float32", "float64")  # float32 loads from the cache, float64 compiles
    assert not loaded["float32"]["registries"] and loaded["runtime_loaded"]
    assert loaded["float64"]["registries"]
    assert loaded["float32"]["y"] == compiled["float32"]["y"]
    for dtype in ("float32", "float64"):
        expected = torch.sigmoid(torch.from_numpy(INPUT.astype(dtype))).numpy()
        np.testing.assert_allclose(np.array(loaded[dtype]["y"], dtype), expected, rtol=1e-6, atol=0)


def test_damaged_runtime_cache_file_is_compiled_again(tmp_path):
    first = _run(tmp_path, "float64")
    [runtime_file] = glob.glob(str(tmp_path / "**" / "nrt-*.nbo"), recursive=True)
    with open(runtime_file, "r+b") as f:
        f.truncate(100)
    again = _run(tmp_path, "float64")
    assert not again["runtime_loaded"] and again["float64"]["y"] == first["float64"]["y"]
    assert _run(tmp_path, "float64")["runtime_loaded"]  # written whole again
