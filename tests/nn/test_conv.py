"""Conv1d/2d/3d, ConvTranspose1d/2d/3d and F.conv*: compared with PyTorch (copied weights), gradchecks, errors."""
import math
import re

import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck
from numbatorch.nn.functional import conv as F
from numbatorch.nn.modules import conv as C
from ._compare import check_module, make_pair, rand

torch = pytest.importorskip("torch")


CONV_CASES = [
    ("Conv1d", (3, 4, 3), {}, (2, 3, 9)),
    ("Conv1d", (4, 6, 2), dict(stride=2, padding=1, dilation=2, groups=2), (1, 4, 10)),
    ("Conv1d", (3, 3, 4), dict(padding="same", groups=3, padding_mode="circular"), (2, 3, 7)),
    ("Conv1d", (2, 4, 3), dict(padding=2, padding_mode="replicate", bias=False), (2, 7)),      # unbatched
    ("Conv2d", (3, 4, 3), {}, (2, 3, 7, 6)),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2), (1, 4, 9, 8)),
    ("Conv2d", (4, 4, 3), dict(groups=4, padding=1, padding_mode="reflect"), (2, 4, 5, 6)),      # depthwise
    ("Conv2d", (3, 2, 4), dict(padding="same", dilation=1, bias=False), (2, 3, 6, 5)),           # asymmetric same
    ("Conv2d", (3, 5, 1), dict(padding="valid", stride=3), (3, 3, 7, 7)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="circular"), (2, 5, 4)),                   # unbatched
    ("Conv3d", (2, 4, 3), dict(padding=1, stride=(1, 2, 2)), (2, 2, 5, 6, 5)),
    ("Conv3d", (4, 2, (2, 3, 1)), dict(groups=2, dilation=(2, 1, 1), padding_mode="replicate", padding=1),
     (1, 4, 5, 4, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CONV_CASES)
def test_conv_matches_torch(name, args, kwargs, shape):
    nb, th = make_pair(C, name, *args, **kwargs)
    check_module(nb, th, rand(*shape))


TRANSPOSED_CASES = [
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5), None),
    ("ConvTranspose1d", (4, 2, 2), dict(groups=2, dilation=2, bias=False), (4, 6), None),            # unbatched
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, groups=2), (2, 4, 4, 5), [8, 9]),
    ("ConvTranspose2d", (3, 2, (2, 3)), dict(stride=(1, 2), dilation=(2, 1), output_padding=(0, 1)), (1, 3, 3, 4),
     None),
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2), (2, 2, 2, 3, 2), (2, 3, 5, 6, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape,output_size", TRANSPOSED_CASES)
def test_conv_transpose_matches_torch(name, args, kwargs, shape, output_size):
    nb, th = make_pair(C, name, *args, **kwargs)
    extra = () if output_size is None else (output_size,)
    check_module(nb, th, rand(*shape), args=extra)


def test_float32_conv_and_parameter_dtypes():
    nb = C.Conv2d(3, 5, 3, padding=1)
    th = torch.nn.Conv2d(3, 5, 3, padding=1)
    assert nb.weight.dtype == numbatorch.float32
    check_module(nb, th, rand(2, 3, 6, 6).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_seed_example_output_sizes():
    x = numbatorch.arange(0, 25).view(1, 1, 5, 5).float()
    w = numbatorch.tensor([[[[1.0, 1], [1, 1]]]])
    xt, wt = torch.tensor(x.numpy()), torch.tensor(w.numpy())
    for kw in ({}, dict(stride=2), dict(padding=1), dict(dilation=2)):
        np.testing.assert_array_equal(F.conv2d(x, w, **kw).numpy(), torch.nn.functional.conv2d(xt, wt, **kw).numpy())


@pytest.mark.parametrize("fn,x_shape,w_shape,kwargs", [
    ("conv1d", (2, 2, 5), (3, 2, 2), dict(stride=2, padding=1)),
    ("conv2d", (1, 4, 4, 3), (2, 2, 2, 2), dict(groups=2, dilation=(1, 2), padding=1)),
    ("conv2d", (2, 4, 3), (3, 2, 2, 3), dict(padding="same")),
    ("conv3d", (1, 2, 3, 3, 3), (2, 1, 2, 2, 2), dict(groups=2, stride=2, padding=1)),
    ("conv_transpose1d", (2, 2, 4), (2, 3, 3), dict(stride=2, output_padding=1)),
    ("conv_transpose2d", (1, 4, 3, 3), (4, 1, 2, 3), dict(groups=2, stride=(2, 1), padding=1)),
    ("conv_transpose3d", (1, 2, 2, 2, 2), (2, 1, 2, 2, 2), dict(dilation=2)),
])
def test_functional_gradcheck(fn, x_shape, w_shape, kwargs):
    rng = np.random.default_rng(3)
    x = numbatorch.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = numbatorch.tensor(rng.standard_normal(w_shape), requires_grad=True)
    cout = w_shape[1] * kwargs.get("groups", 1) if "transpose" in fn else w_shape[0]
    b = numbatorch.tensor(rng.standard_normal(cout), requires_grad=True)
    assert gradcheck(lambda x, w, b: getattr(F, fn)(x, w, b, **kwargs), (x, w, b))


def test_grad_fn_name_and_only_needed_grads():
    x = numbatorch.randn(1, 2, 5, 5)
    conv = C.Conv2d(2, 3, 3)
    y = conv(x)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    y.sum().backward()
    assert x.grad is None and conv.weight.grad is not None and conv.bias.grad is not None


def test_reset_parameters_bounds():
    numbatorch.manual_seed(0)
    for conv, fan_in in ((C.Conv2d(4, 8, 3, groups=2), 2 * 9), (C.ConvTranspose2d(4, 6, 2, groups=2), 3 * 4)):
        bound = 1 / math.sqrt(fan_in)
        for p in (conv.weight, conv.bias):
            a = p.detach().numpy()
            assert np.abs(a).max() <= bound
        assert np.abs(conv.weight.detach().numpy()).max() > 0.8 * bound


@pytest.mark.parametrize("name,args,kwargs", [
    ("Conv2d", (3, 4, 3), {}),
    ("Conv2d", (4, 4, (3, 2)), dict(stride=2, padding=1, dilation=2, groups=2, bias=False, padding_mode="reflect")),
    ("Conv1d", (2, 4, 3), dict(padding="same")),
    ("Conv3d", (2, 2, 1), dict(padding="valid")),
    ("ConvTranspose2d", (4, 2, 3), dict(stride=2, output_padding=1, groups=2)),
    ("ConvTranspose1d", (4, 2, 3), dict(dilation=3, bias=False)),
])
def test_repr_and_shapes_match_torch(name, args, kwargs):
    nb, th = getattr(C, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(nb) == repr(th)
    assert tuple(nb.weight.shape) == tuple(th.weight.shape)
    assert (nb.bias is None) == (th.bias is None)


def _both_raise(nb_call, th_call):
    with pytest.raises(Exception) as e_th:
        th_call()
    with pytest.raises(type(e_th.value)) as e_nb:
        nb_call()
    return _sorted_sets(str(e_nb.value)), _sorted_sets(str(e_th.value))


def _sorted_sets(msg):
    """Messages that show a Python set ({'zeros', 'reflect'}) list its items in hash order: sort them."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", msg)


@pytest.mark.parametrize("kwargs", [
    dict(groups=0), dict(in_channels=3, groups=2), dict(out_channels=3, groups=2), dict(padding="full"),
    dict(padding="same", stride=2), dict(padding_mode="mirror"),
])
def test_constructor_errors(kwargs):
    args = dict(in_channels=4, out_channels=4, kernel_size=3)
    args.update(kwargs)
    nb_msg, th_msg = _both_raise(lambda: C.Conv2d(**args), lambda: torch.nn.Conv2d(**args))
    assert nb_msg == th_msg


@pytest.mark.parametrize("x_shape,w_shape,kwargs", [
    ((8, 32, 32, 32), (64, 3, 3, 3), {}),              # wrong channel count (the example)
    ((1, 3, 2, 2), (4, 3, 3, 3), {}),                  # kernel larger than the input
    ((1, 3, 5, 5), (4, 3, 3, 3), dict(padding="foo")),
    ((1, 3, 5, 5), (4, 3, 3, 3), dict(padding="same", stride=2)),
    ((3, 5, 5, 5, 5), (4, 3, 3, 3), {}),
    ((1, 4, 5, 5), (4, 2, 3, 3), dict(groups=3)),
])
def test_functional_errors_match_torch(x_shape, w_shape, kwargs):
    x, w = np.zeros(x_shape, np.float32), np.zeros(w_shape, np.float32)
    nb_msg, th_msg = _both_raise(lambda: F.conv2d(numbatorch.tensor(x), numbatorch.tensor(w), **kwargs),
                                 lambda: torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), **kwargs))
    assert nb_msg == th_msg


def test_conv_transpose_errors_match_torch():
    x = np.zeros((1, 2, 1, 1), np.float32)
    w = np.zeros((2, 1, 1, 1), np.float32)
    nb_msg, th_msg = _both_raise(
        lambda: F.conv_transpose2d(numbatorch.tensor(x), numbatorch.tensor(w), padding=1),
        lambda: torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), padding=1))
    assert nb_msg == th_msg
    nb, th = C.ConvTranspose2d(2, 2, 3, stride=2), torch.nn.ConvTranspose2d(2, 2, 3, stride=2)
    x = np.zeros((1, 2, 3, 3), np.float32)
    nb_msg, th_msg = _both_raise(lambda: nb(numbatorch.tensor(x), output_size=[10, 7]),
                                 lambda: th(torch.tensor(x), output_size=[10, 7]))
    assert nb_msg.split(" (for an input")[0] == th_msg.split(" (for an input")[0]
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        C.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
