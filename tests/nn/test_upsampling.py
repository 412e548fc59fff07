"""Upsample/F.interpolate, PixelShuffle/Unshuffle, Fold/Unfold compared with PyTorch, and the seed's
section 6.2.1-6.2.2 snippets run in both frameworks with their printed output compared."""
import re
import types

import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck
from numbatorch.nn.functional import vision as FV
from numbatorch.nn.modules import fold as FO
from numbatorch.nn.modules import pixelshuffle as PS
from numbatorch.nn.modules import upsampling as U
from ._compare import check_module, make_pair, rand

torch = pytest.importorskip("torch")

INTERP_CASES = [
    (dict(scale_factor=2), (2, 3, 5)),
    (dict(size=7, mode="nearest-exact"), (1, 2, 5)),
    (dict(size=9, mode="linear"), (2, 2, 4)),
    (dict(scale_factor=1.5, mode="linear", align_corners=True), (1, 2, 5)),
    (dict(scale_factor=(2, 3)), (2, 2, 3, 4)),
    (dict(size=(5, 3), mode="nearest"), (1, 2, 4, 6)),
    (dict(scale_factor=2.3, mode="bilinear"), (2, 2, 4, 3)),
    (dict(size=(7, 5), mode="bilinear", align_corners=True), (1, 3, 4, 3)),
    (dict(size=(6, 5), mode="bicubic"), (1, 2, 4, 4)),
    (dict(scale_factor=0.6, mode="bicubic", align_corners=True), (1, 1, 6, 7)),
    (dict(size=(3, 2), mode="area"), (2, 2, 7, 5)),
    (dict(scale_factor=(1.5, 2, 1), mode="trilinear"), (1, 2, 3, 3, 4)),
    (dict(size=(4, 3, 5), mode="nearest"), (1, 1, 2, 3, 3)),
    (dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True), (1, 2, 5, 4)),
]


@pytest.mark.parametrize("kwargs,shape", INTERP_CASES)
def test_upsample_matches_torch(kwargs, shape):
    if kwargs.get("mode") == "area" or "recompute_scale_factor" in kwargs:
        x = rand(*shape)
        check_interp = dict(kwargs)
        out_n = FV.interpolate(numbatorch.tensor(x), **check_interp)
        out_t = torch.nn.functional.interpolate(torch.tensor(x), **check_interp)
        np.testing.assert_allclose(out_n.numpy(), out_t.numpy(), rtol=1e-7, atol=1e-9)
        return
    nb, th = make_pair(U, "Upsample", **kwargs)
    check_module(nb, th, rand(*shape))


def test_upsampling_nearest_and_bilinear_2d_and_float32():
    for name, kw in (("UpsamplingNearest2d", dict(scale_factor=3)), ("UpsamplingBilinear2d", dict(size=(5, 7)))):
        nb, th = make_pair(U, name, **kw)
        check_module(nb, th, rand(2, 2, 3, 4))
        assert repr(nb) == repr(th)
    nb, th = U.Upsample(scale_factor=2, mode="bilinear"), torch.nn.Upsample(scale_factor=2, mode="bilinear")
    check_module(nb, th, rand(1, 2, 3, 3).astype(np.float32), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    dict(scale_factor=2, mode="bilinear"), dict(size=(4, 5), mode="bicubic", align_corners=True),
    dict(scale_factor=1.5, mode="nearest"), dict(size=(2, 2), mode="area"),
])
def test_interpolate_gradcheck(kwargs):
    x = numbatorch.tensor(rand(1, 2, 3, 3, seed=1), requires_grad=True)
    assert gradcheck(lambda x: FV.interpolate(x, **kwargs), (x,))


@pytest.mark.parametrize("kwargs", [
    dict(scale_factor=2, mode="bilinear", align_corners=True, shape=(1, 1, 3)),
    dict(scale_factor=2, mode="nearest", align_corners=True, shape=(1, 1, 3, 3)),
    dict(size=2, scale_factor=2, shape=(1, 1, 3)),
    dict(shape=(1, 1, 3)),
    dict(size=(2, 3), shape=(1, 1, 3)),
    dict(size=0, shape=(1, 1, 3)),                         # empty output
])
def test_interpolate_errors_match_torch(kwargs):
    kwargs = dict(kwargs)
    x = np.zeros(kwargs.pop("shape"), np.float32)
    with pytest.raises(Exception) as e_th:
        torch.nn.functional.interpolate(torch.tensor(x), **kwargs)
    with pytest.raises(type(e_th.value)) as e_nb:
        FV.interpolate(numbatorch.tensor(x), **kwargs)
    assert str(e_nb.value) == str(e_th.value)


@pytest.mark.parametrize("name,arg,shape", [
    ("PixelShuffle", 2, (2, 8, 3, 2)), ("PixelShuffle", 3, (9, 2, 2)),
    ("PixelUnshuffle", 2, (2, 3, 4, 6)), ("PixelUnshuffle", 3, (1, 2, 2, 6, 3)),
])
def test_pixel_shuffle_matches_torch(name, arg, shape):
    nb, th = make_pair(PS, name, arg)
    check_module(nb, th, rand(*shape))
    assert repr(nb) == repr(th)


@pytest.mark.parametrize("fn,factor,shape", [
    ("pixel_shuffle", 2, (1, 3, 2, 2)), ("pixel_shuffle", 0, (1, 4, 2, 2)), ("pixel_shuffle", 2, (4, 2)),
    ("pixel_unshuffle", 2, (1, 1, 3, 4)), ("pixel_unshuffle", 2, (1, 1, 4, 3)),
])
def test_pixel_shuffle_errors_match_torch(fn, factor, shape):
    x = np.zeros(shape, np.float32)
    with pytest.raises(Exception) as e_th:
        getattr(torch.nn.functional, fn)(torch.tensor(x), factor)
    with pytest.raises(type(e_th.value)) as e_nb:
        getattr(FV, fn)(numbatorch.tensor(x), factor)
    assert str(e_nb.value) == str(e_th.value)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(kernel_size=2), (2, 3, 4, 5)),
    (dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2)), (1, 2, 5, 6)),
    (dict(kernel_size=3, padding=1), (2, 4, 3)),                                        # unbatched
])
def test_unfold_fold_match_torch(kwargs, shape):
    nb, th = make_pair(FO, "Unfold", **kwargs)
    out_n, _ = check_module(nb, th, rand(*shape))
    assert repr(nb) == repr(th)
    nb, th = make_pair(FO, "Fold", shape[-2:], **kwargs)
    check_module(nb, th, rand(*tuple(out_n.shape), seed=3))
    assert repr(nb) == repr(th)


def test_fold_unfold_gradcheck_and_errors():
    x = numbatorch.tensor(rand(1, 2, 4, 3, seed=2), requires_grad=True)
    assert gradcheck(lambda x: FV.unfold(x, 2, padding=1, stride=2), (x,))
    cols = numbatorch.tensor(rand(1, 8, 6, seed=3), requires_grad=True)
    assert gradcheck(lambda c: FV.fold(c, (3, 4), 2), (cols,))
    for nb_call, th_call in (
            (lambda: FV.fold(numbatorch.zeros(1, 8, 5), (3, 4), 2),
             lambda: torch.nn.functional.fold(torch.zeros(1, 8, 5), (3, 4), 2)),
            (lambda: FV.unfold(numbatorch.zeros(1, 1, 2, 2), 3),
             lambda: torch.nn.functional.unfold(torch.zeros(1, 1, 2, 2), 3)),
            (lambda: FV.pixel_shuffle(numbatorch.zeros(1, 5, 2, 2), 2),
             lambda: torch.nn.functional.pixel_shuffle(torch.zeros(1, 5, 2, 2), 2))):
        with pytest.raises(Exception) as e_th:
            th_call()
        with pytest.raises(type(e_th.value)) as e_nb:
            nb_call()
        assert str(e_nb.value) == str(e_th.value)


# ----------------------------------------------------------------------------- the seed's snippets

SEED_BATCHNORM = """
batch_size, channel, height, width = 32, 16, 128, 128
tensor = torch.arange(0,32*16*128*128).view(32,16,128,128).float()
bn = nn.BatchNorm2d(num_features=channel,affine=False)
bn_out = bn(tensor)
channel_mean = torch.mean(bn_out[:,0,:,:])
channel_std = torch.std(bn_out[:,0,:,:])
print("channel mean:",channel_mean.item())
print("channel std:",channel_std.item())
"""

SEED_CONV = """
inputs = torch.arange(0,25).view(1,1,5,5).float()
filters = torch.tensor([[[[1.0,1],[1,1]]]])
outputs = F.conv2d(inputs, filters)
outputs_s2 = F.conv2d(inputs, filters, stride=2)
outputs_p1 = F.conv2d(inputs, filters, padding=1)
outputs_d2 = F.conv2d(inputs,filters, dilation=2)
print(outputs, outputs_s2, outputs_p1, outputs_d2)

features = torch.randn(8,64,128,128)
print("features.shape:",features.shape)
print("\\n")
print("--conv--")
conv = nn.Conv2d(in_channels=64,out_channels=32,kernel_size=3)
conv_out = conv(features)
print("conv_out.shape:",conv_out.shape)
print("conv.weight.shape:",conv.weight.shape)
print("\\n")
print("--group conv--")
conv_group = nn.Conv2d(in_channels=64,out_channels=32,kernel_size=3,groups=8)
group_out = conv_group(features)
print("group_out.shape:",group_out.shape)
print("conv_group.weight.shape:",conv_group.weight.shape)
print("\\n")
print("--separable conv--")
depth_conv = nn.Conv2d(in_channels=64,out_channels=64,kernel_size=3,groups=64)
oneone_conv = nn.Conv2d(in_channels=64,out_channels=32,kernel_size=1)
separable_conv = nn.Sequential(depth_conv,oneone_conv)
separable_out = separable_conv(features)
print("separable_out.shape:",separable_out.shape)
print("depth_conv.weight.shape:",depth_conv.weight.shape)
print("oneone_conv.weight.shape:",oneone_conv.weight.shape)
print("\\n")
print("--conv transpose--")
conv_t = nn.ConvTranspose2d(in_channels=32,out_channels=64,kernel_size=3)
features_like = conv_t(conv_out)
print("features_like.shape:",features_like.shape)
print("conv_t.weight.shape:",conv_t.weight.shape)
"""

SEED_UPSAMPLE = """
inputs = torch.arange(1, 5, dtype=torch.float32).view(1, 1, 2, 2)
print("inputs:")
print(inputs)
print("\\n")
nearest = nn.Upsample(scale_factor=2, mode='nearest')
bilinear = nn.Upsample(scale_factor=2,mode="bilinear",align_corners=True)
print("nearest(inputs):")
print(nearest(inputs))
print("\\n")
print("bilinear(inputs):")
print(bilinear(inputs))
"""


def _namespace(*sources):
    """A module-like object looking names up in each source in turn (numbatorch.nn may not re-export
    this work's layers yet, so the submodules are searched as well)."""
    ns = types.SimpleNamespace()
    for src in reversed(sources):
        for key in dir(src):
            if not key.startswith("_"):
                setattr(ns, key, getattr(src, key))
    return ns


def _numbatorch_globals():
    import numbatorch.nn as nb_nn
    import numbatorch.nn.functional as nb_F
    from numbatorch.nn.functional import conv as fconv
    from numbatorch.nn.modules import batchnorm, container, conv
    return dict(torch=numbatorch, nn=_namespace(nb_nn, conv, batchnorm, U, container),
                F=_namespace(nb_F, fconv, FV))


def _run(source, env):
    lines = []
    env = dict(env, print=lambda *a: lines.append(" ".join(str(v) for v in a)))
    exec(source, env)
    return "\n".join(lines).replace("numbatorch.Size", "torch.Size")


_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?")


@pytest.mark.parametrize("source", [SEED_BATCHNORM, SEED_CONV, SEED_UPSAMPLE], ids=["bn", "conv", "upsample"])
def test_seed_section_6_2_snippets_print_what_torch_prints(source):
    numbatorch.manual_seed(0)
    out_nb = _run(source, _numbatorch_globals())
    out_th = _run(source, dict(torch=torch, nn=torch.nn, F=torch.nn.functional))
    # the text (shapes, tensor layout) is identical; floating values agree to float32 rounding
    assert _NUMBER.sub("#", out_nb) == _NUMBER.sub("#", out_th)
    np.testing.assert_allclose([float(v) for v in _NUMBER.findall(out_nb)],
                               [float(v) for v in _NUMBER.findall(out_th)], atol=1e-5)
