"""Vision Transformer ViT-B/16, B/32, L/16, L/32, H/14 (Dosovitskiy et al. 2020), laid out as torchvision's."""
import math
from collections import OrderedDict
from functools import partial
from typing import NamedTuple, Optional

import numbatorch

from ... import nn
from ..ops.misc import Conv2dNormActivation
from ..transforms._interpolation import InterpolationMode
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _IMAGENET_NUM_CLASSES, _imagenet_weights, _ovewrite_named_param

__all__ = ["VisionTransformer", "ViT_B_16_Weights", "ViT_B_32_Weights", "ViT_L_16_Weights", "ViT_L_32_Weights",
           "ViT_H_14_Weights", "vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14"]


class ConvStemConfig(NamedTuple):
    """One convolution of an optional convolutional stem (Xiao et al. 2021) replacing the patch projection."""

    out_channels: int
    kernel_size: int
    stride: int
    norm_layer: type = nn.BatchNorm2d
    activation_layer: type = nn.ReLU


class MLPBlock(nn.Sequential):
    """Linear -> GELU -> Dropout -> Linear -> Dropout (torchvision.ops.MLP's layout)."""

    def __init__(self, in_dim, mlp_dim, dropout):
        super().__init__(nn.Linear(in_dim, mlp_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_dim, in_dim),
                         nn.Dropout(dropout))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.normal_(m.bias, std=1e-6)


class EncoderBlock(nn.Module):
    """Pre-norm transformer block: self-attention then MLP, each added back to its input."""

    def __init__(self, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = norm_layer(hidden_dim)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, dropout=attention_dropout,
                                                    batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = norm_layer(hidden_dim)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, input):
        if input.dim() != 3:
            raise ValueError(f"Expected (batch_size, seq_length, hidden_dim) got {tuple(input.shape)}")
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x) + input
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """Learned position embeddings, ``num_layers`` encoder blocks and a final LayerNorm."""

    def __init__(self, seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        self.pos_embedding = nn.Parameter(numbatorch.empty(1, seq_length, hidden_dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(OrderedDict(
            (f"encoder_layer_{i}", EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                                                norm_layer))
            for i in range(num_layers)))
        self.ln = norm_layer(hidden_dim)

    def forward(self, input):
        if input.dim() != 3:
            raise ValueError(f"Expected (batch_size, seq_length, hidden_dim) got {tuple(input.shape)}")
        return self.ln(self.layers(self.dropout(input + self.pos_embedding)))


class VisionTransformer(nn.Module):
    """Split the image into ``patch_size`` patches, project each to ``hidden_dim``, prepend a class token, run
    the encoder and classify from the class token."""

    def __init__(self, image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, dropout=0.0,
                 attention_dropout=0.0, num_classes=1000, representation_size=None,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6), conv_stem_configs=None):
        super().__init__()
        if image_size % patch_size != 0:
            raise ValueError(f"Input shape indivisible by patch size! (image_size={image_size}, "
                             f"patch_size={patch_size})")
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.mlp_dim = mlp_dim
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.num_classes = num_classes
        self.representation_size = representation_size
        self.norm_layer = norm_layer
        if conv_stem_configs is not None:
            seq_proj = nn.Sequential()
            prev_channels = 3
            for i, config in enumerate(conv_stem_configs):
                seq_proj.add_module(f"conv_bn_relu_{i}", Conv2dNormActivation(
                    prev_channels, config.out_channels, kernel_size=config.kernel_size, stride=config.stride,
                    norm_layer=config.norm_layer, activation_layer=config.activation_layer))
                prev_channels = config.out_channels
            seq_proj.add_module("conv_last", nn.Conv2d(prev_channels, hidden_dim, kernel_size=1))
            self.conv_proj = seq_proj
        else:
            self.conv_proj = nn.Conv2d(3, hidden_dim, kernel_size=patch_size, stride=patch_size)
        seq_length = (image_size // patch_size) ** 2 + 1  # the patches and the class token
        self.class_token = nn.Parameter(numbatorch.zeros(1, 1, hidden_dim))
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                               norm_layer)
        self.seq_length = seq_length
        heads = OrderedDict()
        if representation_size is None:
            heads["head"] = nn.Linear(hidden_dim, num_classes)
        else:
            heads["pre_logits"] = nn.Linear(hidden_dim, representation_size)
            heads["act"] = nn.Tanh()
            heads["head"] = nn.Linear(representation_size, num_classes)
        self.heads = nn.Sequential(heads)

        if isinstance(self.conv_proj, nn.Conv2d):
            fan_in = self.conv_proj.in_channels * self.conv_proj.kernel_size[0] * self.conv_proj.kernel_size[1]
            nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            if self.conv_proj.bias is not None:
                nn.init.zeros_(self.conv_proj.bias)
        else:
            conv_last = self.conv_proj.conv_last
            nn.init.normal_(conv_last.weight, mean=0.0, std=math.sqrt(2.0 / conv_last.out_channels))
            if conv_last.bias is not None:
                nn.init.zeros_(conv_last.bias)
        if representation_size is not None:
            nn.init.trunc_normal_(self.heads.pre_logits.weight, std=math.sqrt(1 / self.heads.pre_logits.in_features))
            nn.init.zeros_(self.heads.pre_logits.bias)
        nn.init.zeros_(self.heads.head.weight)
        nn.init.zeros_(self.heads.head.bias)

    def _process_input(self, x):
        n, _, h, w = x.shape
        if h != self.image_size:
            raise ValueError(f"Wrong image height! Expected {self.image_size} but got {h}!")
        if w != self.image_size:
            raise ValueError(f"Wrong image width! Expected {self.image_size} but got {w}!")
        n_h, n_w = h // self.patch_size, w // self.patch_size
        # (n, hidden_dim, n_h, n_w) -> (n, n_h * n_w, hidden_dim): one token per patch
        return self.conv_proj(x).reshape(n, self.hidden_dim, n_h * n_w).permute(0, 2, 1)

    def forward(self, x):
        x = self._process_input(x)
        x = numbatorch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        return self.heads(self.encoder(x)[:, 0])


def _vision_transformer(patch_size, num_layers, num_heads, hidden_dim, mlp_dim, weights, progress, kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", _IMAGENET_NUM_CLASSES)
        _ovewrite_named_param(kwargs, "image_size", weights.meta["min_size"][0])
    image_size = kwargs.pop("image_size", 224)
    model = VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=num_layers,
                              num_heads=num_heads, hidden_dim=hidden_dim, mlp_dim=mlp_dim, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_URL = "https://download.pytorch.org/models/"
# SWAG weights (Singh et al. 2022) expect bicubic resizing straight to the crop size.
_swag = partial(_imagenet_weights, interpolation=InterpolationMode.BICUBIC)


class ViT_B_16_Weights(WeightsEnum):
    """Pretrained weights for ``vit_b_16`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_b_16-c867db91.pth", 86567656, (224, 224))
    IMAGENET1K_SWAG_E2E_V1 = _swag(_URL + "vit_b_16_swag-9ac1b537.pth", 86859496, (384, 384), resize_size=384,
                                   crop_size=384)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag(_URL + "vit_b_16_lc_swag-4e70ced5.pth", 86567656, (224, 224),
                                      resize_size=224)
    DEFAULT = IMAGENET1K_V1


class ViT_B_32_Weights(WeightsEnum):
    """Pretrained weights for ``vit_b_32`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_b_32-d86f8d99.pth", 88224232, (224, 224))
    DEFAULT = IMAGENET1K_V1


class ViT_L_16_Weights(WeightsEnum):
    """Pretrained weights for ``vit_l_16`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_l_16-852ce7e3.pth", 304326632, (224, 224), resize_size=242)
    IMAGENET1K_SWAG_E2E_V1 = _swag(_URL + "vit_l_16_swag-4f3808c9.pth", 305174504, (512, 512), resize_size=512,
                                   crop_size=512)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag(_URL + "vit_l_16_lc_swag-4d563306.pth", 304326632, (224, 224),
                                      resize_size=224)
    DEFAULT = IMAGENET1K_V1


class ViT_L_32_Weights(WeightsEnum):
    """Pretrained weights for ``vit_l_32`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_l_32-c7638314.pth", 306535400, (224, 224))
    DEFAULT = IMAGENET1K_V1


class ViT_H_14_Weights(WeightsEnum):
    """Pretrained weights for ``vit_h_14`` (read from the torch hub cache)."""

    IMAGENET1K_SWAG_E2E_V1 = _swag(_URL + "vit_h_14_swag-80465313.pth", 633470440, (518, 518), resize_size=518,
                                   crop_size=518)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag(_URL + "vit_h_14_lc_swag-c1eb923e.pth", 632045800, (224, 224),
                                      resize_size=224)
    DEFAULT = IMAGENET1K_SWAG_E2E_V1


@register_model()
def vit_b_16(*, weights: Optional[ViT_B_16_Weights] = None, progress=True, **kwargs):
    """ViT-B/16 (86.6M parameters at 224x224)."""
    weights = _resolve_weights(ViT_B_16_Weights, weights, kwargs)
    return _vision_transformer(16, 12, 12, 768, 3072, weights, progress, kwargs)


@register_model()
def vit_b_32(*, weights: Optional[ViT_B_32_Weights] = None, progress=True, **kwargs):
    """ViT-B/32 (88.2M parameters at 224x224)."""
    weights = _resolve_weights(ViT_B_32_Weights, weights, kwargs)
    return _vision_transformer(32, 12, 12, 768, 3072, weights, progress, kwargs)


@register_model()
def vit_l_16(*, weights: Optional[ViT_L_16_Weights] = None, progress=True, **kwargs):
    """ViT-L/16 (304M parameters at 224x224)."""
    weights = _resolve_weights(ViT_L_16_Weights, weights, kwargs)
    return _vision_transformer(16, 24, 16, 1024, 4096, weights, progress, kwargs)


@register_model()
def vit_l_32(*, weights: Optional[ViT_L_32_Weights] = None, progress=True, **kwargs):
    """ViT-L/32 (307M parameters at 224x224)."""
    weights = _resolve_weights(ViT_L_32_Weights, weights, kwargs)
    return _vision_transformer(32, 24, 16, 1024, 4096, weights, progress, kwargs)


@register_model()
def vit_h_14(*, weights: Optional[ViT_H_14_Weights] = None, progress=True, **kwargs):
    """ViT-H/14 (632M parameters at 224x224)."""
    weights = _resolve_weights(ViT_H_14_Weights, weights, kwargs)
    return _vision_transformer(14, 32, 16, 1280, 5120, weights, progress, kwargs)
