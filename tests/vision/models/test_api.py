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
    assert models.list_models(module=models) == names
    assert models.list_models(module=resnet) == []  # a sub-module, not a model package
    model = models.get_model("SqueezeNet1_1", num_classes=5)
    assert isinstance(model, models.SqueezeNet) and model.classifier[1].out_channels == 5
    with pytest.raises(ValueError, match="Unknown model resnet9"):
        models.get_model("resnet9")


@pytest.mark.parametrize("weights", ["DEFAULT", "IMAGENET1K_V1"])
def test_pretrained_weights_raise_a_clear_error(weights):
    with pytest.raises(NotImplementedError, match=r"resnet18\(weights='%s'\).*does not download" % weights):
        models.resnet18(weights=weights)


def test_legacy_pretrained_argument():
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        model = models.mobilenet_v2(pretrained=False, num_classes=3)
    assert model.classifier[1].out_features == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(NotImplementedError, match="does not download"):
            models.alexnet(pretrained=True)


def test_models_are_numbatorch_modules():
    model = models.squeezenet1_1(num_classes=4)
    assert isinstance(model, numbatorch.nn.Module)
    model.eval()
    assert tuple(model(numbatorch.randn(2, 3, 48, 48)).shape) == (2, 4)
