"""Model lookup as torchvision offers it: list_models, get_model, models.__dict__[name], weights handling."""
import warnings

import pytest

import numbatorch
from numbatorch.vision import models
from numbatorch.vision.models import resnet


def test_list_models_and_lookup():
    names = models.list_models()
    assert names == sorted(names)
    for name in ("alexnet", "mobilenet_v2", "resnet18", "resnet50", "squeezenet1_0", "vgg11", "vgg16_bn",
                 "wide_resnet50_2"):
        assert name in names and models.get_model_builder(name) is models.__dict__[name]
    assert models.list_models(include="resnet*", exclude=["resnet1*"]) == ["resnet34", "resnet50"]
    assert models.list_models(include=["vgg11*", "alexnet"]) == ["alexnet", "vgg11", "vgg11_bn"]
    classification = models.list_models(module=models)
    assert classification == sorted(set(names) - set(models.list_models(module=models.segmentation)))
    assert models.list_models(module=resnet) == []  # a sub-module, not a model package
    model = models.get_model("SqueezeNet1_1", num_classes=5)
    assert isinstance(model, models.SqueezeNet) and model.classifier[1].out_channels == 5
    with pytest.raises(ValueError, match="Unknown model resnet9"):
        models.get_model("resnet9")


def test_weights_not_in_the_cache_raise_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    expected = str(tmp_path / "hub" / "checkpoints" / "squeezenet1_0-b66bff10.pth")
    for weights in ("DEFAULT", "SqueezeNet1_0_Weights.IMAGENET1K_V1", models.SqueezeNet1_0_Weights.IMAGENET1K_V1):
        with pytest.raises(RuntimeError, match="numbatorch does not download") as info:
            models.squeezenet1_0(weights=weights)
        assert expected in str(info.value)
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received ResNet50_Weights"):
        models.resnet18(weights=models.ResNet50_Weights.DEFAULT)
    with pytest.raises(ValueError, match="Unknown value 'IMAGENET1K_V9' for ResNet18_Weights."):
        models.resnet18(weights="IMAGENET1K_V9")


def test_legacy_pretrained_argument(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        model = models.mobilenet_v2(pretrained=False, num_classes=3)
    assert model.classifier[1].out_features == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="squeezenet1_1-b8a52dc0.pth is missing"):
            models.squeezenet1_1(pretrained=True)


def test_models_are_numbatorch_modules():
    model = models.squeezenet1_1(num_classes=4)
    assert isinstance(model, numbatorch.nn.Module)
    model.eval()
    assert tuple(model(numbatorch.randn(2, 3, 48, 48)).shape) == (2, 4)
