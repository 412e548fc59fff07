"""DenseNet: torchvision's parameter counts and state_dict layout, the same outputs as the network written in
real torch.nn, and the published checkpoints' old key names."""
import os

import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, densenet, names_and_shapes, randomize_batchnorm


@pytest.mark.parametrize("name, count", [("densenet121", 7978856), ("densenet169", 14149480)])
def test_parameter_counts(name, count, no_init):
    assert sum(p.numel() for p in models.get_model(name).parameters()) == count  # torchvision's documented counts


def test_densenet121_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    ours, theirs = models.densenet121(num_classes=5), densenet(32, (6, 12, 24, 16), 64, 5)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(6).normal(size=(2, 3, 32, 32)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_checkpoint_with_the_published_key_names_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    source = models.densenet121()
    old = {}
    for key, value in source.state_dict().items():
        if key.endswith("num_batches_tracked"):  # the published files predate this buffer
            continue
        # "denselayer1.norm1.weight" was published as "denselayer1.norm.1.weight".
        for part in ("norm1", "norm2", "conv1", "conv2"):
            key = key.replace(f".{part}.", f".{part[:-1]}.{part[-1]}.") if ".denselayer" in key else key
        old[key] = value
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    folder = tmp_path / "hub" / "checkpoints"
    os.makedirs(folder)
    numbatorch.save(old, folder / "densenet121-a639ec97.pth")
    loaded = models.densenet121(weights=models.DenseNet121_Weights.DEFAULT)
    np.testing.assert_array_equal(loaded.features.denseblock4.denselayer16.conv2.weight.detach().numpy(),
                                  source.features.denseblock4.denselayer16.conv2.weight.detach().numpy())
