"""Legacy tensor types, numpy-style ``axis=``/``keepdims=`` aliases and functional in-place ops vs PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

TYPES = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor", "ShortTensor",
         "CharTensor", "ByteTensor", "BoolTensor"]


def _eval(module, expr):
    return eval(expr, {"m": module, "np": np})


def _same(ours, theirs, values=True):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b, values)
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    if values and theirs.dtype == torch.bfloat16:  # torch has no numpy bfloat16: compare the exact float32 values
        np.testing.assert_array_equal(ours.detach().float().numpy(), theirs.detach().float().numpy())
    elif values:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", TYPES)
def test_legacy_constructors(name):
    for expr in (f"m.{name}([1, 0, 2])", f"m.{name}([[1.7, 0], [2, 3]])", f"m.{name}([])",
                 f"m.{name}(np.array([1.5, 0]))"):
        _same(_eval(nt, expr), _eval(torch, expr))
    for expr in (f"m.{name}(2, 3)", f"m.{name}(m.Size([4]))", f"m.{name}()", f"m.{name}(3, device='cpu')"):
        _same(_eval(nt, expr), _eval(torch, expr), values=False)


@pytest.mark.parametrize("name", TYPES)
def test_isinstance_dtype_and_type_conversion(name):
    for dtype in ("float32", "float64", "int64", "uint8", "bool"):
        ours = nt.zeros(2, dtype=getattr(nt, dtype))
        theirs = torch.zeros(2, dtype=getattr(torch, dtype))
        assert isinstance(ours, getattr(nt, name)) == isinstance(theirs, getattr(torch, name))
        converted = ours.type(getattr(nt, name))
        _same(converted, theirs.type(getattr(torch, name)))
        assert converted.type() == theirs.type(getattr(torch, name)).type()
    assert str(getattr(nt, name).dtype).split(".")[-1] == str(getattr(torch, name).dtype).split(".")[-1]
    assert not issubclass(getattr(nt, name), nt.Tensor)
    assert getattr(nt, name).__name__ == name


def test_legacy_constructor_errors_match_torch():
    for expr in ("m.FloatTensor(2.5)", "m.FloatTensor(m.tensor([1, 2]))"):
        with pytest.raises(TypeError):
            _eval(torch, expr)
        with pytest.raises(TypeError):
            _eval(nt, expr)
    t = nt.tensor([1.0, 2.0])
    assert nt.FloatTensor(t) is t


def test_legacy_types_are_accepted_where_a_dtype_is():
    from numbatorch import _dtype
    assert _dtype.as_dtype(nt.LongTensor) is nt.int64
    assert nt.ones(2).type("torch.IntTensor").dtype is nt.int32


AXIS_CASES = [
    "m.sum(x, axis=0, keepdims=True)", "x.sum(axis=1)", "m.mean(x, axis=0)", "m.stack([x, x], axis=0)",
    "m.cat([x, x], axis=1)", "x.unsqueeze(axis=0)", "m.unsqueeze(x, axis=-1)", "m.softmax(x, axis=1)",
    "m.max(x, axis=1)", "m.argmax(x, axis=1)", "x.std(axis=0)", "m.squeeze(x, axis=0)", "m.cumsum(x, axis=0)",
    "x.size(axis=0)", "m.chunk(x, 2, axis=1)", "m.amax(x, axis=0, keepdims=True)", "m.count_nonzero(x, axis=0)",
    "m.all(x > 0, axis=0)", "m.prod(x, axis=0)", "m.logsumexp(x, axis=0)", "m.sort(x, axis=0)",
    "m.topk(x, 1, axis=0)", "x.var(axis=0, keepdims=True)", "m.unbind(x, axis=0)",
    "m.gather(x, axis=0, index=m.zeros(1, 3, dtype=m.int64))", "x.index_select(axis=0, index=m.tensor([1]))",
    "m.sum(x, 0)", "x.mean(1, keepdims=True)", "m.diff(x, axis=0)", "m.logcumsumexp(x, axis=1)",
    "x.quantile(0.5, axis=0, keepdims=True)", "m.split_with_sizes(x, [1, 1], axis=0)",
]


@pytest.mark.parametrize("expr", AXIS_CASES)
def test_axis_and_keepdims_aliases(expr):
    data = np.arange(6.0).reshape(2, 3) + 1
    ours = eval(expr, {"m": nt, "x": nt.tensor(data)})
    theirs = eval(expr, {"m": torch, "x": torch.tensor(data)})
    _same(ours, theirs)


@pytest.mark.parametrize("expr", ["m.split(x, 1, axis=0)", "m.nn.functional.softmax(x, axis=0)", "x.unsqueeze()",
                                  "x.index_select(0)"])
def test_aliases_only_where_torch_has_them(expr):
    with pytest.raises(TypeError):
        eval(expr, {"m": torch, "x": torch.ones(2, 3)})
    with pytest.raises(TypeError):
        eval(expr, {"m": nt, "x": nt.ones(2, 3)})


def test_axis_alias_keeps_gradients():
    data = np.random.default_rng(0).standard_normal((3, 4))
    ours = nt.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    (nt.sum(ours * ours, axis=1, keepdims=True) * nt.arange(3.0).reshape(3, 1)).sum().backward()
    (torch.sum(theirs * theirs, axis=1, keepdims=True) * torch.arange(3.0).reshape(3, 1)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())


INPLACE_FUNCTIONS = [
    ("fill_", (2.5,)), ("zero_", ()), ("neg_", ()), ("acosh_", ()), ("asinh_", ()), ("arcsinh_", ()),
    ("arctan_", ()), ("xlogy_", (2.0,)), ("deg2rad_", ()), ("rad2deg_", ()), ("negative_", ()), ("i0_", ()),
    ("ldexp_", (nt.tensor(2),)),
]


@pytest.mark.parametrize("name,args", INPLACE_FUNCTIONS)
def test_functional_inplace_forms(name, args):
    data = np.array([1.5, 2.0, 3.0])
    ours, theirs = nt.tensor(data), torch.tensor(data)
    result = getattr(nt, name)(ours, *args)
    assert result is ours
    getattr(torch, name)(theirs, *[torch.tensor(a.numpy()) if isinstance(a, nt.Tensor) else a for a in args])
    _same(ours, theirs)
