"""Runs the CUDA kernel tests in Numba's CUDA simulator, in a subprocess (see conftest.py)."""
import os
import subprocess
import sys


def test_cuda_kernels_match_cpu_in_simulator():
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", here],
                          env=env, capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(
                              os.path.dirname(here))))
    # exit status 5 (nothing collected) fails too
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
