"""Shared test fixtures: a fresh seed for every test so failures reproduce; kernels and parallel builds compiled at once."""
import pytest

import numbatorch
from numbatorch.backends.cpu import _parallel, _tiered

# Tests of large inputs check the parallel builds: compile them at their first call instead of after a second
# of serial runs (tests/backends/test_cpu_parallel.py checks that deferral).
_parallel.PARALLEL_AFTER_SECONDS = 0.0
# Tests check the kernels, not their numpy stand-ins (tests/backends/test_cpu_tiered.py compares the two).
_tiered.STAND_IN_SECONDS = 0.0


@pytest.fixture(autouse=True)
def _seed_everything():
    numbatorch.manual_seed(0)
    yield
