"""Deprecated layer names: NLLLoss2d (an NLLLoss) and Container (a Module), with PyTorch's warnings."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")


def test_deprecated_nllloss2d_and_container():
    rng = np.random.default_rng(4)
    logits, target = rng.standard_normal((2, 3, 4, 4)), rng.integers(0, 3, (2, 4, 4))
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        ours = nt.nn.NLLLoss2d(ignore_index=1)
    with pytest.warns(FutureWarning):
        theirs = torch.nn.NLLLoss2d(ignore_index=1)
    np.testing.assert_allclose(ours(nt.tensor(logits), nt.tensor(target)).item(),
                               theirs(torch.tensor(logits), torch.tensor(target)).item(), rtol=1e-12)
    with pytest.warns(UserWarning, match="nn.Container"):
        box = nt.nn.Container(fc=nt.nn.Linear(2, 3))
    assert [name for name, _ in box.named_parameters()] == ["fc.weight", "fc.bias"]
