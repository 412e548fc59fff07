"""The same architectures written directly in real ``torch.nn`` from torchvision's documented layout: the oracle
for state_dict names/shapes and outputs (torchvision itself does not import beside this PyTorch).

Here the classic CNNs (ResNet, VGG, SqueezeNet, DenseNet, GoogLeNet, the DeepLab head) and the weight-copying
helpers; the depthwise-convolution and transformer architectures are in ``torch_reference_modern``."""
import numpy as np


def _nn():
    import torch.nn as nn
    return nn


def resnet(block, layers, num_classes=1000, groups=1, width_per_group=64):
    """torchvision's ResNet: ``block`` is "basic" or "bottleneck"."""
    import torch
    nn = _nn()
    expansion = 1 if block == "basic" else 4

    class Block(nn.Module):
        def __init__(self, inplanes, planes, stride, downsample):
            super().__init__()
            if block == "basic":
                self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(planes)
                self.relu = nn.ReLU(inplace=True)
                self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(planes)
            else:
                width = int(planes * (width_per_group / 64.0)) * groups
                self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(width)
                self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
                self.bn2 = nn.BatchNorm2d(width)
                self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
                self.bn3 = nn.BatchNorm2d(planes * 4)
                self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            if block == "basic":
                out = self.bn2(self.conv2(out))
            else:
                out = self.bn3(self.conv3(self.relu(self.bn2(self.conv2(out)))))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
                setattr(self, f"layer{i + 1}", self._stage(planes, n, 1 if i == 0 else 2))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512 * expansion, num_classes)

        def _stage(self, planes, n, stride):
            downsample = None
            if stride != 1 or self.inplanes != planes * expansion:
                downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * expansion, 1, stride, bias=False),
                                           nn.BatchNorm2d(planes * expansion))
            blocks = [Block(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes * expansion
            blocks += [Block(self.inplanes, planes, 1, None) for _ in range(1, n)]
            return nn.Sequential(*blocks)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return ResNet()


def vgg_features(cfg, batch_norm):
    nn = _nn()
    layers, channels = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        layers.append(nn.Conv2d(channels, v, 3, padding=1))
        layers += [nn.BatchNorm2d(v)] if batch_norm else []
        layers.append(nn.ReLU(inplace=True))
        channels = v
    return nn.Sequential(*layers)


def squeezenet(version, num_classes=1000):
    import torch
    nn = _nn()

    class Fire(nn.Module):
        def __init__(self, inplanes, s, e1, e3):
            super().__init__()
            self.squeeze = nn.Conv2d(inplanes, s, 1)
            self.squeeze_activation = nn.ReLU(inplace=True)
            self.expand1x1 = nn.Conv2d(s, e1, 1)
            self.expand1x1_activation = nn.ReLU(inplace=True)
            self.expand3x3 = nn.Conv2d(s, e3, 3, padding=1)
            self.expand3x3_activation = nn.ReLU(inplace=True)

        def forward(self, x):
            x = self.squeeze_activation(self.squeeze(x))
            return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                              self.expand3x3_activation(self.expand3x3(x))], 1)

    def pool():
        return nn.MaxPool2d(3, 2, ceil_mode=True)

    if version == "1_0":
        features = [nn.Conv2d(3, 96, 7, 2), nn.ReLU(inplace=True), pool(), Fire(96, 16, 64, 64),
                    Fire(128, 16, 64, 64), Fire(128, 32, 128, 128), pool(), Fire(256, 32, 128, 128),
                    Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), pool(),
                    Fire(512, 64, 256, 256)]
    else:
        features = [nn.Conv2d(3, 64, 3, 2), nn.ReLU(inplace=True), pool(), Fire(64, 16, 64, 64),
                    Fire(128, 16, 64, 64), pool(), Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), pool(),
                    Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256),
                    Fire(512, 64, 256, 256)]
    model = nn.Module()
    model.features = nn.Sequential(*features)
    model.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(512, num_classes, 1), nn.ReLU(inplace=True),
                                     nn.AdaptiveAvgPool2d((1, 1)))
    model.forward = lambda x: torch.flatten(model.classifier(model.features(x)), 1)
    return model


def densenet(growth_rate, block_config, num_init_features, num_classes=1000, bn_size=4):
    """torchvision's DenseNet."""
    from collections import OrderedDict

    import torch
    nn = _nn()

    class DenseLayer(nn.Module):
        def __init__(self, inputs):
            super().__init__()
            self.norm1 = nn.BatchNorm2d(inputs)
            self.relu1 = nn.ReLU(inplace=True)
            self.conv1 = nn.Conv2d(inputs, bn_size * growth_rate, 1, bias=False)
            self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
            self.relu2 = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)

        def forward(self, features):
            x = self.conv1(self.relu1(self.norm1(torch.cat(features, 1))))
            return self.conv2(self.relu2(self.norm2(x)))

    class DenseBlock(nn.ModuleDict):
        def __init__(self, n, inputs):
            super().__init__({f"denselayer{i + 1}": DenseLayer(inputs + i * growth_rate) for i in range(n)})

        def forward(self, x):
            features = [x]
            for layer in self.values():
                features.append(layer(features))
            return torch.cat(features, 1)

    class DenseNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(OrderedDict([
                ("conv0", nn.Conv2d(3, num_init_features, 7, 2, 3, bias=False)),
                ("norm0", nn.BatchNorm2d(num_init_features)), ("relu0", nn.ReLU(inplace=True)),
                ("pool0", nn.MaxPool2d(3, 2, 1))]))
            channels = num_init_features
            for i, n in enumerate(block_config):
                self.features.add_module(f"denseblock{i + 1}", DenseBlock(n, channels))
                channels += n * growth_rate
                if i != len(block_config) - 1:
                    self.features.add_module(f"transition{i + 1}", nn.Sequential(OrderedDict([
                        ("norm", nn.BatchNorm2d(channels)), ("relu", nn.ReLU(inplace=True)),
                        ("conv", nn.Conv2d(channels, channels // 2, 1, bias=False)),
                        ("pool", nn.AvgPool2d(2, 2))])))
                    channels //= 2
            self.features.add_module("norm5", nn.BatchNorm2d(channels))
            self.classifier = nn.Linear(channels, num_classes)

        def forward(self, x):
            out = torch.nn.functional.adaptive_avg_pool2d(torch.relu(self.features(x)), (1, 1))
            return self.classifier(torch.flatten(out, 1))

    return DenseNet()


# GoogLeNet's Inception modules: in, 1x1, 3x3 reduce, 3x3, "5x5" reduce, "5x5" (a 3x3 in torchvision), pool proj.
GOOGLENET = {"3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
             "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
             "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
             "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
             "5b": (832, 384, 192, 384, 48, 128, 128)}


def googlenet(num_classes=1000):
    """torchvision's GoogLeNet without the auxiliary classifiers, in eval-mode form."""
    import torch
    nn = _nn()

    class BasicConv2d(nn.Module):
        def __init__(self, inp, out, **kwargs):
            super().__init__()
            self.conv = nn.Conv2d(inp, out, bias=False, **kwargs)
            self.bn = nn.BatchNorm2d(out, eps=0.001)

        def forward(self, x):
            return torch.relu(self.bn(self.conv(x)))

    class Inception(nn.Module):
        def __init__(self, inp, c1, c3r, c3, c5r, c5, pool):
            super().__init__()
            self.branch1 = BasicConv2d(inp, c1, kernel_size=1)
            self.branch2 = nn.Sequential(BasicConv2d(inp, c3r, kernel_size=1), BasicConv2d(c3r, c3, kernel_size=3,
                                                                                           padding=1))
            self.branch3 = nn.Sequential(BasicConv2d(inp, c5r, kernel_size=1), BasicConv2d(c5r, c5, kernel_size=3,
                                                                                           padding=1))
            self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), BasicConv2d(inp, pool, kernel_size=1))

        def forward(self, x):
            return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)

    class GoogLeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
            self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2 = BasicConv2d(64, 64, kernel_size=1)
            self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
            self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            for name in ("3a", "3b"):
                setattr(self, "inception" + name, Inception(*GOOGLENET[name]))
            self.maxpool3 = nn.MaxPool2d(3, 2, ceil_mode=True)
            for name in ("4a", "4b", "4c", "4d", "4e"):
                setattr(self, "inception" + name, Inception(*GOOGLENET[name]))
            self.maxpool4 = nn.MaxPool2d(2, 2, ceil_mode=True)
            for name in ("5a", "5b"):
                setattr(self, "inception" + name, Inception(*GOOGLENET[name]))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.dropout = nn.Dropout(0.2)
            self.fc = nn.Linear(1024, num_classes)

        def forward(self, x):
            x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
            x = self.maxpool3(self.inception3b(self.inception3a(x)))
            for name in ("4a", "4b", "4c", "4d", "4e"):
                x = getattr(self, "inception" + name)(x)
            x = self.inception5b(self.inception5a(self.maxpool4(x)))
            return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))

    return GoogLeNet()


def deeplab_head(in_channels, num_classes, rates=(12, 24, 36)):
    """torchvision's DeepLabHead (ASPP, 3x3 conv, BN, ReLU, 1x1 conv)."""
    import torch
    nn = _nn()

    def cbr(inp, out, kernel=1, dilation=1):
        return [nn.Conv2d(inp, out, kernel, padding=dilation if kernel == 3 else 0, dilation=dilation, bias=False),
                nn.BatchNorm2d(out), nn.ReLU()]

    class Pooling(nn.Sequential):
        def forward(self, x):
            return torch.nn.functional.interpolate(super().forward(x), size=x.shape[-2:], mode="bilinear",
                                                   align_corners=False)

    class ASPP(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([nn.Sequential(*cbr(in_channels, 256))]
                                       + [nn.Sequential(*cbr(in_channels, 256, 3, r)) for r in rates]
                                       + [Pooling(nn.AdaptiveAvgPool2d(1), *cbr(in_channels, 256))])
            self.project = nn.Sequential(*cbr(256 * (len(rates) + 2), 256), nn.Dropout(0.5))

        def forward(self, x):
            return self.project(torch.cat([conv(x) for conv in self.convs], 1))

    return nn.Sequential(ASPP(), nn.Conv2d(256, 256, 3, padding=1, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
                         nn.Conv2d(256, num_classes, 1))


def names_and_shapes(state_dict):
    """[(key, shape)] in order, for either framework's state_dict."""
    return [(k, tuple(v.shape)) for k, v in state_dict.items()]


def copy_into_torch(numbatorch_model, torch_model):
    """Load a numbatorch model's state_dict into the torch model (strict: names and shapes must agree)."""
    import torch
    torch_model.load_state_dict({k: torch.from_numpy(np.array(v.numpy()))
                                 for k, v in numbatorch_model.state_dict().items()})


def fill_random(model, seed=0, scale=0.05):
    """Give every parameter of a numbatorch model values from N(0, scale^2): cheaper than the models' own
    initialisation when the values only need to be the same in both frameworks."""
    import numbatorch
    rng = np.random.default_rng(seed)
    with numbatorch.no_grad():
        for p in model.parameters():
            p.copy_(numbatorch.from_numpy(rng.standard_normal(tuple(p.shape), dtype=np.float32) * scale))


def randomize_batchnorm(model, seed=0):
    """Give every BatchNorm2d of a numbatorch model non-trivial affine parameters and running statistics, so
    comparisons exercise them (fresh ones are the identity in eval mode)."""
    import numbatorch
    rng = np.random.default_rng(seed)
    with numbatorch.no_grad():
        for m in model.modules():
            if isinstance(m, numbatorch.nn.BatchNorm2d):
                n = m.num_features
                for tensor, values in ((m.weight, rng.uniform(0.5, 1.5, n)), (m.bias, rng.normal(0, 0.1, n)),
                                       (m.running_mean, rng.normal(0, 0.1, n)),
                                       (m.running_var, rng.uniform(0.5, 1.5, n))):
                    tensor.copy_(numbatorch.from_numpy(values.astype(np.float32)))
