#!/usr/bin/env bash
# The CUDA check of issue 11 on a real GPU, in one run of under 8 minutes (no network needed):
#   1. the CUDA tests (tests/backends/cuda) on the device itself, without NUMBA_ENABLE_CUDASIM;
#   2. benchmarks/bench_cuda.py: numbatorch on 'cuda' timed beside PyTorch on 'cuda', printed as ratios.
# Needs a Python with numba, numba-cuda, cupy-cuda13x (or 12x), PyTorch with CUDA and pytest; PYTHON picks it
# (default: python3). Exit status: non-zero when the tests fail or the benchmark cannot run.
#   benchmarks/gpu_check.sh            # from anywhere; runs in the repository root
#   PYTHON=.venv/bin/python benchmarks/gpu_check.sh
set -u  # the timeouts below add up to 460 s: the script ends within 8 minutes whatever hangs
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
unset NUMBA_ENABLE_CUDASIM  # the real device, not the simulator

echo "== device"
timeout 40 "$PYTHON" - <<'PY' || exit 1
import numba, numba.cuda, cupy, torch, numbatorch
print(f"numba {numba.__version__}, cupy {cupy.__version__}, torch {torch.__version__}")
print(f"numba.cuda: {numba.cuda.is_available()}, torch.cuda: {torch.cuda.is_available()}, "
      f"numbatorch.cuda: {numbatorch.cuda.is_available()}")
assert numbatorch.cuda.is_available() and torch.cuda.is_available(), "no usable CUDA device"
print(numbatorch.cuda.get_device_name())
PY

echo "== CUDA tests on the device"
timeout 240 "$PYTHON" -m pytest tests/backends/cuda -q -p no:cacheprovider
tests=$?

echo "== numbatorch / PyTorch on CUDA"
timeout 180 "$PYTHON" benchmarks/bench_cuda.py --repeats 3 --min-time 0.1
bench=$?

echo "tests exit status: $tests, benchmark exit status: $bench"
[ "$tests" -eq 0 ] && [ "$bench" -eq 0 ]
