"""Segmentation models: torchvision's parameter counts, outputs as an OrderedDict upsampled to the input, the
DeepLab head against the same layers in real torch.nn, and ImageNet backbone weights read from the hub cache."""
import os
from collections import OrderedDict

import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models
from numbatorch.vision.models import segmentation
from numbatorch.vision.models._utils import IntermediateLayerGetter
from numbatorch.vision.models.segmentation.deeplabv3 import DeepLabHead

from .torch_reference import copy_into_torch, deeplab_head, names_and_shapes, randomize_batchnorm


@pytest.mark.parametrize("build, count", [
    (lambda: segmentation.fcn_resnet50(weights_backbone=None, aux_loss=True), 35322218),
    (lambda: segmentation.deeplabv3_resnet50(weights_backbone=None, aux_loss=True), 42004074),
    (lambda: segmentation.deeplabv3_mobilenet_v3_large(weights_backbone=None, aux_loss=True), 11029328),
    (lambda: segmentation.lraspp_mobilenet_v3_large(weights_backbone=None), 3221538)])
def test_parameter_counts(build, count, no_init):
    assert sum(p.numel() for p in build().parameters()) == count  # torchvision's documented counts


def test_outputs_are_upsampled_dicts():
    model = segmentation.deeplabv3_mobilenet_v3_large(weights_backbone=None, aux_loss=True, num_classes=4).eval()
    with numbatorch.no_grad():
        out = model(numbatorch.randn(1, 3, 48, 40))
    assert isinstance(out, OrderedDict) and list(out) == ["out", "aux"]
    assert tuple(out["out"].shape) == (1, 4, 48, 40) and tuple(out["aux"].shape) == (1, 4, 48, 40)
    lraspp = segmentation.lraspp_mobilenet_v3_large(weights_backbone=None, num_classes=3).eval()
    with numbatorch.no_grad():
        assert tuple(lraspp(numbatorch.randn(1, 3, 40, 40))["out"].shape) == (1, 3, 40, 40)
    with pytest.raises(NotImplementedError, match="This model does not use auxiliary loss"):
        segmentation.lraspp_mobilenet_v3_large(weights_backbone=None, aux_loss=True)
    assert "fcn_resnet50" in models.list_models(module=segmentation)
    assert "fcn_resnet50" not in models.list_models(module=models) and "fcn_resnet50" in models.list_models()


def test_deeplab_head_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = DeepLabHead(16, 5, atrous_rates=(2, 3)), deeplab_head(16, 5, rates=(2, 3))
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(15).normal(size=(2, 16, 9, 7)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_intermediate_layer_getter():
    net = models.resnet18().eval()
    getter = IntermediateLayerGetter(net, {"layer1": "feat1", "layer3": "feat3"})
    assert list(getter) == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3"]
    x = numbatorch.randn(1, 3, 32, 32)
    with numbatorch.no_grad():
        out = getter(x)
        stem = net.maxpool(net.relu(net.bn1(net.conv1(x))))
        np.testing.assert_allclose(out["feat1"].numpy(), net.layer1(stem).numpy(), rtol=1e-6)
        assert list(out) == ["feat1", "feat3"] and tuple(out["feat3"].shape) == (1, 256, 2, 2)
    with pytest.raises(ValueError, match="return_layers are not present in model"):
        IntermediateLayerGetter(net, {"layer9": "x"})


def test_backbone_weights_come_from_the_hub_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(RuntimeError, match="mobilenet_v3_large-8738ca79.pth is missing"):
        segmentation.lraspp_mobilenet_v3_large()  # the ImageNet backbone is the default, as in torchvision
    backbone = models.mobilenet_v3_large()
    os.makedirs(tmp_path / "hub" / "checkpoints")
    numbatorch.save(backbone.state_dict(), tmp_path / "hub" / "checkpoints" / "mobilenet_v3_large-8738ca79.pth")
    model = segmentation.lraspp_mobilenet_v3_large()
    np.testing.assert_array_equal(model.backbone["16"][0].weight.detach().numpy(),
                                  backbone.features[16][0].weight.detach().numpy())
    weights = segmentation.LRASPP_MobileNet_V3_Large_Weights.DEFAULT
    assert weights.meta["categories"][15] == "person" and len(weights.meta["categories"]) == 21
    assert tuple(weights.transforms()(numbatorch.rand(3, 600, 700)).shape) == (3, 520, 606)
