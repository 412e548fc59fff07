"""Pooling layers and F.*pool*: compared with PyTorch (values, indices, input grads), gradchecks, errors."""
import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck
from numbatorch.nn import functional as F
from numbatorch.nn.modules import pooling as P
from ._compare import check_module, make_pair, rand

torch = pytest.importorskip("torch")

POOL_CASES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 10)),
    ("MaxPool1d", (2,), dict(dilation=2), (3, 9)),                                   # unbatched
    ("MaxPool2d", (2, 2), {}, (2, 3, 8, 6)),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=True), (1, 2, 7, 9)),
    ("MaxPool3d", (2,), dict(stride=(1, 2, 2), padding=1), (2, 2, 3, 5, 4)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 7, 8)),
    ("AvgPool2d", ((2, 3),), dict(divisor_override=4), (1, 2, 6, 7)),
    ("AvgPool2d", (2,), {}, (3, 5, 5)),                                               # unbatched
    ("AvgPool3d", (2,), dict(padding=1, ceil_mode=True, count_include_pad=False), (1, 2, 3, 5, 4)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, None),), {}, (2, 2, 7, 5)),
    ("AdaptiveMaxPool2d", ((1, 1),), dict(return_indices=True), (3, 2, 5, 6)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 3, 5, 4)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 8)),
    ("AdaptiveAvgPool2d", ((4, 3),), {}, (2, 2, 7, 5)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 5, 6)),                                       # unbatched
    ("AdaptiveAvgPool3d", ((2, 3, 1),), {}, (1, 2, 3, 5, 4)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 9)),
    ("LPPool2d", (3.0, 2), dict(ceil_mode=True), (1, 2, 5, 7)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", POOL_CASES)
def test_pool_matches_torch(name, args, kwargs, shape):
    nb, th = make_pair(P, name, *args, **kwargs)
    x = rand(*shape)
    if name.startswith("LP"):
        x = np.abs(x) + 0.1          # LP pooling of odd powers is only smooth for positive inputs
    check_module(nb, th, x)


@pytest.mark.parametrize("fn,shape,kwargs", [
    ("max_pool1d", (2, 3, 8), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d", (1, 2, 7, 6), dict(kernel_size=(3, 2), stride=2, ceil_mode=True)),
    ("max_pool3d", (1, 2, 4, 4, 3), dict(kernel_size=2, padding=1)),
    ("adaptive_max_pool2d", (2, 2, 7, 5), dict(output_size=(3, 2))),
    ("adaptive_max_pool1d", (2, 7), dict(output_size=3)),
])
def test_indices_match_torch(fn, shape, kwargs):
    x = rand(*shape).astype(np.float32)
    out_n, idx_n = getattr(F, fn)(numbatorch.tensor(x), return_indices=True, **kwargs)
    out_t, idx_t = getattr(torch.nn.functional, fn)(torch.tensor(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(out_n.numpy(), out_t.numpy())
    np.testing.assert_array_equal(idx_n.numpy(), idx_t.numpy())
    assert idx_n.dtype == numbatorch.int64


@pytest.mark.parametrize("nd,shape,kernel,stride,padding,output_size", [
    (1, (2, 3, 9), 2, 2, 0, None),
    (2, (2, 2, 7, 6), 3, 2, 1, (7, 6)),
    (2, (1, 2, 7, 5), 2, 2, 0, [1, 2, 7, 5]),
    (3, (1, 2, 4, 5, 4), 2, 2, 0, (4, 5, 4)),
])
def test_max_unpool_round_trip_matches_torch(nd, shape, kernel, stride, padding, output_size):
    x = rand(*shape)
    pool_kw = dict(kernel_size=kernel, stride=stride, padding=padding)
    y_t, i_t = getattr(torch.nn.functional, f"max_pool{nd}d")(torch.tensor(x), return_indices=True, **pool_kw)
    y_n, i_n = getattr(F, f"max_pool{nd}d")(numbatorch.tensor(x), return_indices=True, **pool_kw)
    nb, th = make_pair(P, f"MaxUnpool{nd}d", kernel, stride, padding)
    check_module(nb, th, y_n.numpy(), args=(i_n, output_size), th_args=(i_t, output_size))


def test_fractional_max_pool_with_samples_matches_torch():
    x = rand(2, 3, 9, 8)
    samples = np.random.default_rng(5).random((2, 3, 2))
    nb = P.FractionalMaxPool2d(3, output_size=(4, 5), _random_samples=numbatorch.tensor(samples))
    th = torch.nn.FractionalMaxPool2d(3, output_size=(4, 5), _random_samples=torch.tensor(samples))
    check_module(nb, th, x)
    x3 = rand(1, 2, 6, 7, 5)
    s3 = np.random.default_rng(6).random((1, 2, 3))
    nb = P.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=numbatorch.tensor(s3))
    th = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=torch.tensor(s3))
    check_module(nb, th, x3)


def test_fractional_max_pool_uses_global_generator():
    x = numbatorch.tensor(rand(2, 3, 11, 11))
    pool = P.FractionalMaxPool2d(2, output_ratio=(0.6, 0.5), return_indices=True)
    numbatorch.manual_seed(7)
    a, ia = pool(x)
    numbatorch.manual_seed(7)
    b, ib = pool(x)
    c, ic = pool(x)
    assert tuple(a.shape) == (2, 3, 6, 5)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    assert not np.array_equal(ia.numpy(), ic.numpy())
    # every output is the max over the window its index points into
    np.testing.assert_array_equal(a.numpy(), np.take_along_axis(x.numpy().reshape(2, 3, -1),
                                                                ia.numpy().reshape(2, 3, -1), 2).reshape(a.shape))


@pytest.mark.parametrize("fn,shape,kwargs", [
    ("avg_pool2d", (1, 2, 5, 4), dict(kernel_size=2, stride=1, padding=1, count_include_pad=False)),
    ("avg_pool3d", (1, 1, 3, 4, 3), dict(kernel_size=2, ceil_mode=True, stride=2)),
    ("adaptive_avg_pool1d", (2, 2, 7), dict(output_size=3)),
    ("max_pool2d", (1, 2, 5, 5), dict(kernel_size=2, stride=1)),
    ("lp_pool2d", (1, 2, 4, 4), dict(norm_type=2, kernel_size=2)),
])
def test_gradcheck(fn, shape, kwargs):
    x = numbatorch.tensor(rand(*shape, seed=2), requires_grad=True)
    assert gradcheck(lambda x: getattr(F, fn)(x, **kwargs), (x,))


@pytest.mark.parametrize("name,args,kwargs", [
    ("MaxPool2d", (2,), {}), ("MaxPool1d", (3, 2), dict(ceil_mode=True)), ("MaxPool3d", ((2, 1, 2),), {}),
    ("MaxUnpool2d", (2,), {}), ("MaxUnpool1d", (3, 2, 1), {}), ("AvgPool1d", (3,), {}),
    ("AvgPool2d", (2,), dict(stride=1)), ("AvgPool3d", ((2, 2, 1),), {}), ("AdaptiveMaxPool2d", ((1, 1),), {}),
    ("AdaptiveAvgPool1d", (3,), {}), ("AdaptiveAvgPool3d", ((2, None, 3),), {}),
    ("FractionalMaxPool2d", (2,), dict(output_ratio=0.5)), ("LPPool2d", (2, 3), {}), ("LPPool1d", (1.5, 2, 1), {}),
])
def test_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(P, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def _both_raise(nb_call, th_call):
    with pytest.raises(Exception) as e_th:
        th_call()
    with pytest.raises(type(e_th.value)) as e_nb:
        nb_call()
    return str(e_nb.value), str(e_th.value)


@pytest.mark.parametrize("fn,shape,kwargs", [
    ("max_pool2d", (1, 2, 5, 5), dict(kernel_size=7)),
    ("max_pool2d", (1, 2, 5, 5), dict(kernel_size=2, padding=2)),
    ("avg_pool2d", (1, 2, 3, 3), dict(kernel_size=4)),
    ("fractional_max_pool2d", (1, 2, 5, 5), dict(kernel_size=2)),
    ("fractional_max_pool2d", (1, 2, 5, 5), dict(kernel_size=2, output_size=5)),
    ("fractional_max_pool2d", (1, 2, 5, 5), dict(kernel_size=2, output_size=(5, 2))),
    ("fractional_max_pool3d", (1, 2, 5, 5, 5), dict(kernel_size=2, output_size=(2, 5, 2))),
    ("max_pool2d", (1, 1, 2, 2), dict(kernel_size=3)),                         # output size too small
    ("avg_pool2d", (1, 1, 5, 5), dict(kernel_size=3, padding=2)),              # pad over half the kernel
    ("avg_pool2d", (1, 1, 5, 5), dict(kernel_size=3, divisor_override=0)),
])
def test_functional_errors_match_torch(fn, shape, kwargs):
    x = np.zeros(shape, np.float32)
    nb_msg, th_msg = _both_raise(lambda: getattr(F, fn)(numbatorch.tensor(x), **kwargs),
                                 lambda: getattr(torch.nn.functional, fn)(torch.tensor(x), **kwargs))
    assert nb_msg == th_msg


def test_unpool_invalid_index_error_matches_torch():
    x = np.zeros((1, 1, 2, 2), np.float32)
    idx = np.array([[[[0, 1], [2, 99]]]], np.int64)
    nb_msg, th_msg = _both_raise(
        lambda: F.max_unpool2d(numbatorch.tensor(x), numbatorch.tensor(idx), 2, output_size=(4, 4)),
        lambda: torch.nn.functional.max_unpool2d(torch.tensor(x), torch.tensor(idx), 2, output_size=(4, 4)))
    assert nb_msg == th_msg


def test_unpool_output_size_error_matches_torch():
    x = np.zeros((1, 2, 2, 2), np.float32)
    idx = np.zeros((1, 2, 2, 2), np.int64)
    nb_msg, th_msg = _both_raise(
        lambda: F.max_unpool2d(numbatorch.tensor(x), numbatorch.tensor(idx), 2, output_size=(9, 4)),
        lambda: torch.nn.functional.max_unpool2d(torch.tensor(x), torch.tensor(idx), 2, output_size=(9, 4)))
    assert nb_msg == th_msg


@pytest.mark.parametrize("kwargs", [dict(), dict(output_size=2, output_ratio=0.5), dict(output_ratio=1.5)])
def test_fractional_constructor_errors(kwargs):
    nb_msg, th_msg = _both_raise(lambda: P.FractionalMaxPool2d(2, **kwargs),
                                 lambda: torch.nn.FractionalMaxPool2d(2, **kwargs))
    assert nb_msg == th_msg
