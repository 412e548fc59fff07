"""ResNet family: torchvision's parameter counts and state_dict layout; ResNet-18 computes what the same
network in real torch.nn computes (eval and train mode, gradients, running statistics)."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, names_and_shapes, randomize_batchnorm, resnet

# name, block, blocks per stage, builder options, torchvision's documented parameter count
CASES = [("resnet18", "basic", [2, 2, 2, 2], {}, 11689512),
         ("resnet34", "basic", [3, 4, 6, 3], {}, 21797672),
         ("resnet50", "bottleneck", [3, 4, 6, 3], {}, 25557032),
         ("resnext50_32x4d", "bottleneck", [3, 4, 6, 3], {"groups": 32, "width_per_group": 4}, 25028904)]


@pytest.mark.parametrize("name, block, layers, kw, count", CASES)
def test_parameter_count_and_state_dict_layout(name, block, layers, kw, count, no_init):
    ours = models.get_model(name)
    assert sum(p.numel() for p in ours.parameters()) == count
    pytest.importorskip("torch")
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(resnet(block, layers, 1000, **kw).state_dict())


def test_resnet18_matches_torch_eval_and_train():
    torch = pytest.importorskip("torch")
    ours = models.resnet18(num_classes=7)
    randomize_batchnorm(ours)
    theirs = resnet("basic", [2, 2, 2, 2], 7)
    copy_into_torch(ours, theirs)
    x = np.random.default_rng(1).normal(size=(2, 3, 64, 64)).astype(np.float32)

    ours.eval(), theirs.eval()
    with numbatorch.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy(),
                                   rtol=1e-4, atol=1e-4)

    ours.train(), theirs.train()
    target = np.array([3, 5])
    loss = numbatorch.nn.functional.cross_entropy(ours(numbatorch.from_numpy(x)), numbatorch.from_numpy(target))
    expected = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(target))
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-4)
    loss.backward()
    expected.backward()
    grads = dict(theirs.named_parameters())
    for name in ("conv1.weight", "layer1.0.bn1.weight", "layer3.0.downsample.0.weight", "layer4.1.conv2.weight",
                 "fc.weight", "fc.bias"):
        got = dict(ours.named_parameters())[name].grad.numpy()
        want = grads[name].grad.numpy()
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4 * np.abs(want).max())
    buffers = dict(theirs.named_buffers())
    for name, value in ours.named_buffers():
        np.testing.assert_allclose(value.numpy(), buffers[name].numpy(), rtol=1e-4, atol=1e-5)


def test_forward_shapes_and_options():
    x = numbatorch.randn(1, 3, 32, 32)
    model = models.resnet34(num_classes=10)
    model.eval()
    assert tuple(model(x).shape) == (1, 10)
    zero = models.resnet18(zero_init_residual=True)
    assert all(float(m.bn2.weight.abs().sum()) == 0 for m in zero.modules() if isinstance(m, models.resnet.BasicBlock))
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        models.resnet18(groups=2)
    with pytest.raises(ValueError, match="The parameter 'groups' expected value 32 but got 8 instead."):
        models.resnext50_32x4d(groups=8)
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None or a 3-element tuple"):
        models.resnet50(replace_stride_with_dilation=[True])
