"""Pretrained weights enums: torchvision's names and facts, checkpoints read from the local torch hub cache,
and the ImageClassification preprocessing that goes with them."""
import os
import warnings

import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.vision import models, transforms
from numbatorch.vision.transforms._presets import ImageClassification


def _cache_checkpoint(tmp_path, monkeypatch, weights, state_dict):
    """Save ``state_dict`` with real PyTorch where torchvision would have cached ``weights``."""
    torch = pytest.importorskip("torch")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    folder = tmp_path / "hub" / "checkpoints"
    os.makedirs(folder, exist_ok=True)
    torch.save({k: torch.from_numpy(np.array(v.numpy())) for k, v in state_dict.items()},
               folder / os.path.basename(weights.url))


def test_checkpoint_in_the_hub_cache_is_loaded(tmp_path, monkeypatch):
    source = models.squeezenet1_1()
    _cache_checkpoint(tmp_path, monkeypatch, models.SqueezeNet1_1_Weights.IMAGENET1K_V1, source.state_dict())
    for build in (lambda: models.squeezenet1_1(weights=models.SqueezeNet1_1_Weights.DEFAULT),
                  lambda: models.get_model("squeezenet1_1", weights="SqueezeNet1_1_Weights.IMAGENET1K_V1")):
        model = build()
        for (name, want), (other, got) in zip(source.state_dict().items(), model.state_dict().items()):
            assert name == other
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = models.squeezenet1_1(pretrained=True)
    np.testing.assert_array_equal(legacy.classifier[1].weight.detach().numpy(),
                                  source.classifier[1].weight.detach().numpy())
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000 but got 10 instead."):
        models.squeezenet1_1(weights="DEFAULT", num_classes=10)


def test_enum_names_lookup_and_facts():
    assert repr(models.ResNet50_Weights.DEFAULT) == "ResNet50_Weights.IMAGENET1K_V2"
    assert models.ResNet18_Weights.DEFAULT is models.ResNet18_Weights.IMAGENET1K_V1
    assert [w.name for w in models.MobileNet_V2_Weights] == ["IMAGENET1K_V1", "IMAGENET1K_V2"]
    assert models.get_weight("VGG16_BN_Weights.IMAGENET1K_V1") is models.VGG16_BN_Weights.IMAGENET1K_V1
    assert models.get_model_weights("wide_resnet50_2") is models.Wide_ResNet50_2_Weights
    assert models.get_model_weights(models.alexnet) is models.AlexNet_Weights
    with pytest.raises(ValueError, match="Invalid weight name provided: 'ResNet18_Weights'."):
        models.get_weight("ResNet18_Weights")
    for name in models.list_models():
        weights = models.get_model_weights(name).DEFAULT
        assert weights.url.startswith("https://download.pytorch.org/models/") and weights.url.endswith(".pth")
    for name in ("resnet18", "mobilenet_v2", "squeezenet1_0", "squeezenet1_1"):
        count = sum(p.numel() for p in models.get_model(name).parameters())
        assert all(w.meta["num_params"] == count for w in models.get_model_weights(name))


def test_image_classification_preset():
    preset = models.ResNet50_Weights.IMAGENET1K_V2.transforms()
    assert isinstance(preset, ImageClassification)
    assert preset.resize_size == [232] and preset.crop_size == [224]
    color = (200, 100, 50)
    out = preset(Image.new("RGB", (300, 260), color))
    assert tuple(out.shape) == (3, 224, 224) and out.dtype == numbatorch.float32
    expected = (np.array(color) / 255.0 - np.array(preset.mean)) / np.array(preset.std)
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(expected[:, None, None], (3, 224, 224)), rtol=1e-5)
    rng = np.random.default_rng(5)
    image = Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8))
    small = ImageClassification(crop_size=24, resize_size=32)
    composed = transforms.Compose([transforms.Resize(32), transforms.CenterCrop(24), transforms.ToTensor(),
                                   transforms.Normalize(small.mean, small.std)])
    np.testing.assert_allclose(small(image).numpy(), composed(image).numpy(), rtol=1e-5, atol=1e-6)
    assert "resize_size=[32]" in repr(small) and "crop_size=[24]" in small.describe()
