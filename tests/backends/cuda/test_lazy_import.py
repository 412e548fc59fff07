"""``import numbatorch`` imports neither numba.cuda nor CuPy, with or without the simulator."""
import subprocess
import sys

import pytest


@pytest.mark.parametrize("simulated", ["0", "1"])
def test_import_numbatorch_leaves_cuda_alone(simulated):
    code = ("import sys, numbatorch; "
            "print(sorted(m for m in sys.modules if m == 'cupy' or m.startswith(('numba.cuda', 'cupy.'))))")
    env = {"NUMBA_ENABLE_CUDASIM": simulated, "PATH": ""}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.strip() == "[]"
