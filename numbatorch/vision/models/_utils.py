"""Small helpers shared by the model definitions."""
from collections import OrderedDict
from functools import partial

from ... import nn


def _init_mobile_weights(model, init_linear):
    """The initialisation of the MobileNet/EfficientNet family: convolutions Kaiming-normal (fan out), norms
    one/zero, each ``nn.Linear`` by ``init_linear(layer)``; in module order, as torchvision draws them."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            init_linear(m)


def _init_linear_small_normal(m):
    """``nn.Linear`` weights from N(0, 0.01), zero bias."""
    nn.init.normal_(m.weight, 0, 0.01)
    nn.init.zeros_(m.bias)


def _make_divisible(v, divisor, min_value=None):
    """Round a channel count to a multiple of ``divisor`` without losing more than 10% of it."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _ovewrite_named_param(kwargs, param, new_value):
    """Set ``kwargs[param]``; a caller's different value for it is an error (the architecture fixes it)."""
    if param in kwargs and kwargs[param] != new_value:
        raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    kwargs[param] = new_value


# The weights are trained on ImageNet-1K; torchvision reads the count off its category list.
_IMAGENET_NUM_CLASSES = 1000


def _imagenet_weights(url, num_params, min_size, resize_size=256, crop_size=224, interpolation=None):
    """A :class:`Weights` entry for an ImageNet-1K classifier evaluated on ``crop_size`` center crops."""
    from ..transforms._presets import ImageClassification
    from ._api import Weights
    options = {} if interpolation is None else {"interpolation": interpolation}
    return Weights(url=url, transforms=partial(ImageClassification, crop_size=crop_size, resize_size=resize_size,
                                               **options),
                   meta={"num_params": num_params, "min_size": min_size})


def _build(make, weights, progress, kwargs):
    """``make(**kwargs)``; with pretrained ``weights``, ImageNet's class count and the checkpoint's values."""
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", _IMAGENET_NUM_CLASSES)
    model = make(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


def _ovewrite_value_param(param, actual, expected):
    """``expected``; a caller's different explicit value for ``param`` is an error."""
    if actual is not None and actual != expected:
        raise ValueError(f"The parameter '{param}' expected value {expected} but got {actual} instead.")
    return expected


class IntermediateLayerGetter(nn.ModuleDict):
    """The children of ``model`` up to the last one named in ``return_layers``, returning an OrderedDict of the
    outputs of those children under the new names ``return_layers`` gives them."""

    def __init__(self, model, return_layers):
        if not set(return_layers).issubset([name for name, _ in model.named_children()]):
            raise ValueError("return_layers are not present in model")
        orig_return_layers = return_layers
        remaining = {str(k): str(v) for k, v in return_layers.items()}
        layers = OrderedDict()
        for name, module in model.named_children():
            layers[name] = module
            remaining.pop(name, None)
            if not remaining:
                break
        super().__init__(layers)
        self.return_layers = orig_return_layers

    def forward(self, x):
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out[self.return_layers[name]] = x
        return out
