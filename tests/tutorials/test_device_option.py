"""``--device cuda`` of the cifar2 and ring tutorials where no CUDA device can be used: a one-line exit."""
import pytest

import numbatorch

from .test_tutorials import run_tutorial


@pytest.mark.skipif(numbatorch.cuda.is_available(), reason="a CUDA device (or the simulator) is usable here")
@pytest.mark.parametrize("name", ("cifar2", "ring"))
def test_cuda_without_a_device_exits_with_the_reason(name, tmp_path):
    with pytest.raises(AssertionError, match=r"--device cuda: numbatorch.cuda.is_available\(\) is False"):
        run_tutorial(name, "--quick", "--out-dir", str(tmp_path), "--device", "cuda", timeout=120)
