"""The CUDA kernel tests run where numba.cuda has a device: a real GPU, or Numba's CUDA simulator.

The simulator must be chosen before numba is first imported, which other tests of the suite do long before
this directory: in an ordinary run ``test_simulator.py`` runs these tests again in a fresh interpreter with
``NUMBA_ENABLE_CUDASIM=1``, and the family tests themselves are collected only where a device is usable.
"""
import os

import numbatorch

SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"

collect_ignore_glob = []
if not numbatorch.cuda.is_available():
    collect_ignore_glob.append("test_cuda_*.py")
if SIMULATED or numbatorch.cuda.is_available():
    collect_ignore_glob.append("test_simulator.py")
if SIMULATED:  # the outer run checks it already
    collect_ignore_glob.append("test_lazy_import.py")
