"""The depthwise-convolution and transformer architectures (MobileNetV2/V3, EfficientNet, ShuffleNetV2,
ConvNeXt, ViT) written directly in real ``torch.nn`` from torchvision's documented layout; the classic CNNs and the
weight-copying helpers are in ``torch_reference``."""
from .torch_reference import _nn


def mobilenet_v2(num_classes=1000):
    """torchvision's MobileNetV2 with its default settings (width 1.0, all channel counts already multiples
    of 8)."""
    import torch
    nn = _nn()

    def cna(inp, out, kernel=3, stride=1, groups=1):
        return nn.Sequential(nn.Conv2d(inp, out, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                             nn.BatchNorm2d(out), nn.ReLU6(inplace=True))

    class InvertedResidual(nn.Module):
        def __init__(self, inp, oup, stride, t):
            super().__init__()
            hidden = inp * t
            self.use_res_connect = stride == 1 and inp == oup
            layers = [cna(inp, hidden, 1)] if t != 1 else []
            layers += [cna(hidden, hidden, 3, stride, hidden), nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
                       nn.BatchNorm2d(oup)]
            self.conv = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.conv(x) if self.use_res_connect else self.conv(x)

    class MobileNetV2(nn.Module):
        def __init__(self):
            super().__init__()
            features, channels = [cna(3, 32, stride=2)], 32
            for t, c, n, s in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1],
                               [6, 160, 3, 2], [6, 320, 1, 1]]:
                for i in range(n):
                    features.append(InvertedResidual(channels, c, s if i == 0 else 1, t))
                    channels = c
            features.append(cna(channels, 1280, 1))
            self.features = nn.Sequential(*features)
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

        def forward(self, x):
            x = torch.nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
            return self.classifier(torch.flatten(x, 1))

    return MobileNetV2()


# torchvision's MobileNetV3-Small bottlenecks: in, kernel, expanded, out, squeeze-excitation, hard-swish, stride.
MOBILENET_V3_SMALL = [(16, 3, 16, 16, True, False, 2), (16, 3, 72, 24, False, False, 2),
                      (24, 3, 88, 24, False, False, 1), (24, 5, 96, 40, True, True, 2),
                      (40, 5, 240, 40, True, True, 1), (40, 5, 240, 40, True, True, 1),
                      (40, 5, 120, 48, True, True, 1), (48, 5, 144, 48, True, True, 1),
                      (48, 5, 288, 96, True, True, 2), (96, 5, 576, 96, True, True, 1),
                      (96, 5, 576, 96, True, True, 1)]


def mobilenet_v3_small(num_classes=1000):
    """torchvision's MobileNetV3-Small at width 1.0 (its squeeze widths are expanded // 4 rounded to 8)."""
    import torch
    nn = _nn()

    def cna(inp, out, kernel, stride=1, groups=1, act=None):
        layers = [nn.Conv2d(inp, out, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                  nn.BatchNorm2d(out, eps=0.001, momentum=0.01)]
        return nn.Sequential(*layers, act(inplace=True)) if act else nn.Sequential(*layers)

    class SE(nn.Module):
        def __init__(self, channels, squeeze):
            super().__init__()
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(channels, squeeze, 1)
            self.fc2 = nn.Conv2d(squeeze, channels, 1)
            self.activation = nn.ReLU()
            self.scale_activation = nn.Hardsigmoid()

        def forward(self, x):
            return self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x))))) * x

    class Block(nn.Module):
        def __init__(self, inp, k, exp, out, se, hs, stride):
            super().__init__()
            act = nn.Hardswish if hs else nn.ReLU
            layers = [cna(inp, exp, 1, act=act)] if exp != inp else []
            layers.append(cna(exp, exp, k, stride, exp, act))
            if se:
                layers.append(SE(exp, max(8, int(exp // 4 + 4) // 8 * 8)))
            layers.append(cna(exp, out, 1))
            self.block = nn.Sequential(*layers)
            self.use_res_connect = stride == 1 and inp == out

        def forward(self, x):
            return self.block(x) + x if self.use_res_connect else self.block(x)

    class MobileNetV3(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(cna(3, 16, 3, 2, act=nn.Hardswish),
                                          *[Block(*cfg) for cfg in MOBILENET_V3_SMALL],
                                          cna(96, 576, 1, act=nn.Hardswish))
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Sequential(nn.Linear(576, 1024), nn.Hardswish(inplace=True),
                                            nn.Dropout(0.2, inplace=True), nn.Linear(1024, num_classes))

        def forward(self, x):
            return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

    return MobileNetV3()


def vision_transformer(image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, num_classes):
    """torchvision's VisionTransformer without the optional representation layer and convolutional stem."""
    from collections import OrderedDict

    import torch
    nn = _nn()

    class EncoderBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(hidden_dim, eps=1e-6)
            self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, batch_first=True)
            self.dropout = nn.Dropout(0.0)
            self.ln_2 = nn.LayerNorm(hidden_dim, eps=1e-6)
            self.mlp = nn.Sequential(nn.Linear(hidden_dim, mlp_dim), nn.GELU(), nn.Dropout(0.0),
                                     nn.Linear(mlp_dim, hidden_dim), nn.Dropout(0.0))

        def forward(self, input):
            x = self.ln_1(input)
            x = self.self_attention(x, x, x, need_weights=False)[0] + input
            return x + self.mlp(self.ln_2(x))

    class Encoder(nn.Module):
        def __init__(self, seq_length):
            super().__init__()
            self.pos_embedding = nn.Parameter(torch.zeros(1, seq_length, hidden_dim))
            self.dropout = nn.Dropout(0.0)
            self.layers = nn.Sequential(OrderedDict((f"encoder_layer_{i}", EncoderBlock())
                                                    for i in range(num_layers)))
            self.ln = nn.LayerNorm(hidden_dim, eps=1e-6)

        def forward(self, x):
            return self.ln(self.layers(self.dropout(x + self.pos_embedding)))

    class VisionTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv_proj = nn.Conv2d(3, hidden_dim, patch_size, patch_size)
            self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
            self.encoder = Encoder((image_size // patch_size) ** 2 + 1)
            self.heads = nn.Sequential(OrderedDict(head=nn.Linear(hidden_dim, num_classes)))

        def forward(self, x):
            x = self.conv_proj(x).flatten(2).permute(0, 2, 1)
            x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
            return self.heads(self.encoder(x)[:, 0])

    return VisionTransformer()


# EfficientNet-B0 stages: expansion, kernel, stride, in, out, blocks.
EFFICIENTNET_B0 = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
                   (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]


def efficientnet_b0(num_classes=1000):
    """torchvision's EfficientNet-B0 in eval-mode form (stochastic depth and dropout are identities there)."""
    import torch
    nn = _nn()

    def cna(inp, out, kernel, stride=1, groups=1, act=True):
        layers = [nn.Conv2d(inp, out, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                  nn.BatchNorm2d(out)]
        return nn.Sequential(*layers, nn.SiLU(inplace=True)) if act else nn.Sequential(*layers)

    class SE(nn.Module):
        def __init__(self, channels, squeeze):
            super().__init__()
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(channels, squeeze, 1)
            self.fc2 = nn.Conv2d(squeeze, channels, 1)
            self.activation = nn.SiLU()
            self.scale_activation = nn.Sigmoid()

        def forward(self, x):
            return self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x))))) * x

    class MBConv(nn.Module):
        def __init__(self, t, k, stride, inp, out):
            super().__init__()
            exp = inp * t
            layers = [cna(inp, exp, 1)] if exp != inp else []
            layers += [cna(exp, exp, k, stride, exp), SE(exp, max(1, inp // 4)), cna(exp, out, 1, act=False)]
            self.block = nn.Sequential(*layers)
            self.use_res_connect = stride == 1 and inp == out

        def forward(self, x):
            return self.block(x) + x if self.use_res_connect else self.block(x)

    class EfficientNet(nn.Module):
        def __init__(self):
            super().__init__()
            features = [cna(3, 32, 3, 2)]
            for t, k, stride, inp, out, n in EFFICIENTNET_B0:
                features.append(nn.Sequential(*[MBConv(t, k, stride if i == 0 else 1, inp if i == 0 else out, out)
                                                for i in range(n)]))
            features.append(cna(320, 1280, 1))
            self.features = nn.Sequential(*features)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

        def forward(self, x):
            return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

    return EfficientNet()


def convnext(stages, num_classes, layer_scale=1e-6):
    """torchvision's ConvNeXt in eval-mode form; ``stages`` are (channels, next channels or None, blocks)."""
    import torch
    nn = _nn()

    class LayerNorm2d(nn.LayerNorm):
        def forward(self, x):
            return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    class Permute(nn.Module):
        def __init__(self, dims):
            super().__init__()
            self.dims = dims

        def forward(self, x):
            return x.permute(*self.dims)

    class CNBlock(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.block = nn.Sequential(nn.Conv2d(dim, dim, 7, padding=3, groups=dim), Permute([0, 2, 3, 1]),
                                       nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim), nn.GELU(),
                                       nn.Linear(4 * dim, dim), Permute([0, 3, 1, 2]))
            self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)

        def forward(self, x):
            return self.layer_scale * self.block(x) + x

    class ConvNeXt(nn.Module):
        def __init__(self):
            super().__init__()
            layers = [nn.Sequential(nn.Conv2d(3, stages[0][0], 4, 4), LayerNorm2d(stages[0][0], eps=1e-6))]
            for channels, following, n in stages:
                layers.append(nn.Sequential(*[CNBlock(channels) for _ in range(n)]))
                if following is not None:
                    layers.append(nn.Sequential(LayerNorm2d(channels, eps=1e-6), nn.Conv2d(channels, following, 2, 2)))
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            last = stages[-1][1] or stages[-1][0]
            self.classifier = nn.Sequential(LayerNorm2d(last, eps=1e-6), nn.Flatten(1), nn.Linear(last, num_classes))

        def forward(self, x):
            return self.classifier(self.avgpool(self.features(x)))

    return ConvNeXt()


def shufflenet_v2(channels, num_classes, repeats=(4, 8, 4)):
    """torchvision's ShuffleNetV2 with stage widths ``channels`` (five numbers)."""
    import torch
    nn = _nn()

    def shuffle(x):
        n, c, h, w = x.shape
        return x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)

    def dw(i, stride):
        return nn.Conv2d(i, i, 3, stride, 1, bias=False, groups=i)

    class Unit(nn.Module):
        def __init__(self, inp, oup, stride):
            super().__init__()
            half = oup // 2
            self.stride = stride
            self.branch1 = nn.Sequential(dw(inp, stride), nn.BatchNorm2d(inp), nn.Conv2d(inp, half, 1, bias=False),
                                         nn.BatchNorm2d(half), nn.ReLU()) if stride > 1 else nn.Sequential()
            self.branch2 = nn.Sequential(nn.Conv2d(inp if stride > 1 else half, half, 1, bias=False),
                                         nn.BatchNorm2d(half), nn.ReLU(), dw(half, stride), nn.BatchNorm2d(half),
                                         nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU())

        def forward(self, x):
            if self.stride == 1:
                a, b = x.chunk(2, dim=1)
                return shuffle(torch.cat((a, self.branch2(b)), 1))
            return shuffle(torch.cat((self.branch1(x), self.branch2(x)), 1))

    class ShuffleNetV2(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Sequential(nn.Conv2d(3, channels[0], 3, 2, 1, bias=False), nn.BatchNorm2d(channels[0]),
                                       nn.ReLU())
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            inp = channels[0]
            for i, (n, out) in enumerate(zip(repeats, channels[1:4])):
                setattr(self, f"stage{i + 2}", nn.Sequential(Unit(inp, out, 2), *[Unit(out, out, 1)
                                                                                   for _ in range(n - 1)]))
                inp = out
            self.conv5 = nn.Sequential(nn.Conv2d(inp, channels[4], 1, bias=False), nn.BatchNorm2d(channels[4]),
                                       nn.ReLU())
            self.fc = nn.Linear(channels[4], num_classes)

        def forward(self, x):
            x = self.conv5(self.stage4(self.stage3(self.stage2(self.maxpool(self.conv1(x))))))
            return self.fc(x.mean([2, 3]))

    return ShuffleNetV2()
