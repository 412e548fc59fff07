"""EfficientNet: torchvision's parameter counts and state_dict layout, the same outputs as the network written
in real torch.nn, and stochastic depth."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models, ops

from .torch_reference import copy_into_torch, names_and_shapes, randomize_batchnorm
from .torch_reference_modern import efficientnet_b0


@pytest.mark.parametrize("name, count", [("efficientnet_b0", 5288548), ("efficientnet_v2_s", 21458488)])
def test_parameter_counts(name, count, no_init):
    assert sum(p.numel() for p in models.get_model(name).parameters()) == count  # torchvision's documented counts


def test_b0_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    ours, theirs = models.efficientnet_b0(num_classes=6), efficientnet_b0(6)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(11).normal(size=(2, 3, 64, 64)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    # Stochastic depth grows linearly with the block index; the first block has none.
    probs = [m.stochastic_depth.p for m in ours.modules() if isinstance(m, models.efficientnet.MBConv)]
    np.testing.assert_allclose(probs, 0.2 * np.arange(16) / 16)


def test_stochastic_depth():
    x = numbatorch.ones(400, 3)
    assert ops.stochastic_depth(x, 0.3, "row", training=False) is x
    rows = ops.stochastic_depth(x, 0.25, "row").numpy()
    kept = rows[:, 0] != 0
    assert set(np.unique(rows)) <= {0.0, np.float32(1 / 0.75)} and (rows == rows[:, :1]).all()
    assert 0.6 < kept.mean() < 0.9  # about 75% of the rows survive
    whole = ops.stochastic_depth(x, 0.5, "batch").numpy()
    assert len(np.unique(whole)) == 1
    assert repr(ops.StochasticDepth(0.1, "row")) == "StochasticDepth(p=0.1, mode=row)"
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but got 1.5"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row', but got col"):
        ops.stochastic_depth(x, 0.5, "col")
