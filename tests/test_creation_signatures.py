"""Creation functions called with the same argument combinations in numbatorch and PyTorch.

Each case is an expression over ``m`` (the framework module). Both frameworks must agree: the same result
shape and dtype (and values, for deterministic factories), or the same exception type and message.
"""
import warnings

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

# Values compared only for deterministic factories; random ones compare shape and dtype.
DETERMINISTIC = [
    "m.zeros(size=(2, 3))", "m.ones(size=[2])", "m.empty(size=(0, 2)).shape", "m.zeros(2, 3)", "m.zeros((2, 3))",
    "m.zeros([])", "m.zeros(())", "m.zeros(m.Size([2, 1]))", "m.zeros(m.tensor(3))", "m.zeros(np.int64(3))",
    "m.zeros(2, m.tensor(3))", "m.zeros((m.tensor(2), 3))", "m.ones(2, dtype=m.float64)",
    "m.ones(2, dtype=m.int64, layout=m.strided, device='cpu', pin_memory=False)",
    "m.zeros(2, device=m.device('cpu'))", "m.empty(2, memory_format=m.contiguous_format).shape",
    "m.full(size=(2,), fill_value=3)", "m.full((2,), True)", "m.full((2,), 1.5, dtype=m.int64)",
    "m.full((2,), m.tensor(1.5))", "m.full([2, 2], 7, dtype=m.float64)",
    "m.eye(n=3)", "m.eye(2, 3)", "m.eye(3, dtype=m.int64)", "m.eye(2, m=4)",
    "m.arange(end=5)", "m.arange(start=1, end=5)", "m.arange(5)", "m.arange(1, 4, 0.5)", "m.arange(0.5, 3)",
    "m.arange(5, dtype=m.float32)", "m.arange(m.tensor(4))", "m.arange(5.0, 0, -1.5)", "m.arange(0, 10, 3)",
    "m.linspace(0, 1, steps=3)", "m.linspace(0, 10, 5, dtype=m.int64)", "m.linspace(m.tensor(0.0), 1, 3)",
    "m.linspace(start=-1, end=1, steps=5)", "m.logspace(0, 2, 3, 2)", "m.logspace(0, 2, steps=3, base=2)",
    "m.logspace(0, 2, 3, dtype=m.int64)",
    "m.zeros_like(input=m.ones(2))", "m.ones_like(m.ones(2), dtype=m.int64)",
    "m.zeros_like(m.ones(2), memory_format=m.preserve_format)", "m.full_like(m.ones(2, dtype=m.int64), 2.5)",
    "m.full_like(m.ones(2), fill_value=3, dtype=m.float64)",
    "m.scalar_tensor(3)", "m.scalar_tensor(True)", "m.scalar_tensor(3, dtype=m.int64)",
    "m.tril_indices(3, 4, 1)", "m.triu_indices(4, 3, -1)", "m.tril_indices(3, 3, dtype=m.int32)",
    "m.triu_indices(row=3, col=2)",
    "m.tensor(data=[1])", "m.tensor([1, 2], dtype=m.float64)", "m.as_tensor([1, 2], dtype=m.float64)",
    "m.asarray([1.5, 2])", "m.asarray(np.arange(3), dtype=m.float32)",
    "m.zeros(2, out=m.empty(2, dtype=m.int64))", "m.zeros(3, out=m.empty(2))", "m.ones(3, out=m.empty(0))",
    "m.arange(3, out=m.empty(3))", "m.eye(2, out=m.empty(1))", "m.full((2,), 4, out=m.empty(2))",
    "m.linspace(0, 1, 3, out=m.empty(3, dtype=m.float64))",
]

RANDOM = [
    "m.rand(2, 3)", "m.rand(size=(2,), dtype=m.float64)", "m.rand(m.Size([2, 3]))", "m.rand(2, 3, generator=None)",
    "m.rand(2, dtype=m.float16)", "m.randn(2, 3)", "m.randn(size=(4,))", "m.randn([2, 2], dtype=m.float64)",
    "m.randn(2, requires_grad=True)",
    "m.randint(10, size=(1,))", "m.randint(3, 10, size=(1,))", "m.randint(3, 10, (2,))", "m.randint(10, (2,))",
    "m.randint(high=10, size=(2,))", "m.randint(low=2, high=10, size=(2,))", "m.randint(10, (2,), dtype=m.float32)",
    "m.randint(0, 2, (2,), dtype=m.bool)", "m.randint(m.tensor(5), (2,))",
    "m.randint(3, (2,), generator=m.Generator())",
    "m.randint(5, [2, 2], dtype=m.uint8)", "m.randint(0, 3, size=m.Size([2]))",
    "m.randperm(n=4)", "m.randperm(4, dtype=m.float32)", "m.randperm(4, dtype=m.uint8)",
    "m.rand_like(m.ones(2, 3))", "m.randn_like(m.ones(2), dtype=m.float64)", "m.randint_like(m.ones(2), 5)",
    "m.randint_like(m.ones(2), 2, 5)", "m.randint_like(m.ones(2), high=5)",
    "m.randint_like(m.ones(2), 3, dtype=m.int64)",
    "m.normal(0.0, 1.0, size=(2,))", "m.normal(0.0, 1.0, (2, 3))", "m.normal(m.zeros(2), 1.0)",
    "m.normal(2.0, m.ones(3))", "m.normal(m.zeros(2, dtype=m.float64), 1.0)", "m.normal(m.zeros(2), m.ones(2))",
    "m.normal(m.zeros(2, 1), m.ones(3))", "m.rand(3, out=m.empty(2))", "m.empty_strided((2, 3), (3, 1))",
    "m.empty_strided((2, 3), (1, 2)).stride()",
]

# The exception type, and the message where it is PyTorch's own wording.
ERRORS = [
    ("m.randn(3, dtype=m.int64)", True), ("m.rand(3, dtype=m.int64)", True), ("m.randn(3, dtype=m.bool)", True),
    ("m.rand_like(m.ones(2, dtype=m.int64))", True), ("m.randn_like(m.ones(2, dtype=m.int64))", True),
    ("m.normal(0.0, 1.0, (2,), dtype=m.int64)", True), ("m.normal(m.zeros(2, dtype=m.int64), 1.0)", True),
    ("m.rand(3, out=m.empty(3, dtype=m.int64))", True),
    ("m.zeros((2, 3), size=(2, 3))", True), ("m.ones(2.5)", True), ("m.zeros(True)", True),
    ("m.full((2.5,), 1)", True), ("m.randint(3, (2.5,))", True), ("m.randint(2.5, (2,))", True),
    ("m.zeros(2, (3,))", False), ("m.randn((2, 2.5))", False),
    ("m.ones(-1)", True), ("m.empty(-1)", True), ("m.rand(-1)", True), ("m.randn(2, -1)", True),
    ("m.full((-1,), 1.0)", True), ("m.randint(3, (-1,))", True), ("m.randperm(-1)", True),
    ("m.eye(-1)", True), ("m.eye(2, -1)", True), ("m.eye(2.5)", True),
    ("m.randint(10)", False), ("m.randint(0.5, 2.5, (2,))", False), ("m.randint(5, 3, (2,))", True),
    ("m.randint(3, (2,), dtype=m.bool)", True), ("m.randint(-1, 3, (2,), dtype=m.uint8)", True),
    ("m.randint(0, 300, (2,), dtype=m.uint8)", True), ("m.randperm(4, dtype=m.bool)", True),
    ("m.arange(0, 5, -1)", True), ("m.arange(0, 1, 0)", True), ("m.arange(float('nan'))", True),
    ("m.linspace(0, 1, -1)", True), ("m.linspace(0, 1)", False), ("m.normal(0.0, 1.0)", False),
    ("m.normal(m.zeros(2), m.ones(3))", True), ("m.full((2,), m.tensor([1.5]))", True),
    ("m.zeros(2, dtype=m.int64, requires_grad=True)", True), ("m.empty(2, dtype=m.int64, requires_grad=True)", True),
    ("m.full((2,), 1, requires_grad=True)", True), ("m.tensor(3, requires_grad=True)", True),
    ("m.ones_like(m.ones(2), dtype=m.int64, requires_grad=True)", True),
    ("m.randn(2, requires_grad=True, dtype=m.int64)", True),
    ("m.zeros(2, dtype=m.float64, out=m.empty(2, dtype=m.int64))", True),
    ("m.zeros(2, out=m.zeros(2, requires_grad=True))", False),
    ("m.tril_indices(3, 3, dtype=m.float32)", True), ("m.tril_indices(-1, 3)", True),
    ("m.tril_indices(3, -2)", True), ("m.zeros_like(m.ones(2), m.int64)", False), ("m.tensor([1], m.float32)", False),
    ("m.as_tensor([1, 2], m.float64)", False),
    ("m.ones(2, 3, names=None)", False),
]


def _eval(module, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, {"m": module, "np": np})


def _dtype_name(d):
    return str(d).split(".")[-1]


def _compare(ours, theirs, values):
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs
        return
    assert isinstance(ours, nt.Tensor)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    assert ours.requires_grad == theirs.requires_grad
    if values:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("expr", DETERMINISTIC)
def test_deterministic_factory_matches_torch(expr):
    _compare(_eval(nt, expr), _eval(torch, expr), values=True)


@pytest.mark.parametrize("expr", RANDOM)
def test_random_factory_matches_torch(expr):
    _compare(_eval(nt, expr), _eval(torch, expr), values=False)


@pytest.mark.parametrize("expr,same_message", ERRORS)
def test_factory_errors_match_torch(expr, same_message):
    with pytest.raises(Exception) as theirs:
        _eval(torch, expr)
    with pytest.raises(theirs.type) as ours:
        _eval(nt, expr)
    if same_message:
        assert str(ours.value).split("\n")[0] == str(theirs.value).split("\n")[0]


def test_out_is_filled_and_returned():
    out = nt.empty(2, 2)
    view = out[0]
    result = nt.ones(2, 2, out=out)
    assert result is out
    np.testing.assert_array_equal(view.numpy(), [1, 1])  # same shape: written in place, views see it
    assert nt.arange(3, out=out) is out and out.tolist() == [0, 1, 2]


def test_range_is_inclusive_and_deprecated():
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        ours = nt.range(0, 3, 0.5)
    with pytest.warns(UserWarning):
        theirs = torch.range(0, 3, 0.5)
    _compare(ours, theirs, values=True)


def test_random_values_follow_the_generator():
    g = nt.Generator().manual_seed(3)
    first = nt.randint(10, size=(5,), generator=g).tolist()
    g.manual_seed(3)
    assert nt.randint(0, 10, (5,), generator=g).tolist() == first
    assert all(0 <= v < 10 for v in first)


def test_frombuffer_matches_torch():
    data = bytearray(np.arange(4, dtype=np.int32).tobytes())
    for kwargs in (dict(dtype="int32"), dict(dtype="int32", count=2, offset=4), dict(dtype="uint8", count=3)):
        ours = nt.frombuffer(data, **{**kwargs, "dtype": getattr(nt, kwargs["dtype"])})
        theirs = torch.frombuffer(data, **{**kwargs, "dtype": getattr(torch, kwargs["dtype"])})
        assert ours.tolist() == theirs.tolist() and _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    shared = nt.frombuffer(data, dtype=nt.int32)
    data[0] = 7
    assert shared[0].item() == 7  # a view of the buffer, not a copy
    for kwargs in (dict(count=5), dict(offset=3)):
        with pytest.raises(ValueError) as theirs:
            torch.frombuffer(data, dtype=torch.int32, **kwargs)
        with pytest.raises(ValueError) as ours:
            nt.frombuffer(data, dtype=nt.int32, **kwargs)
        assert str(ours.value) == str(theirs.value)
    with pytest.warns(UserWarning, match="not writable"):
        nt.frombuffer(b"abcd", dtype=nt.int8)


def test_dlpack_shares_memory_with_numpy_and_torch():
    arr = np.arange(3.0)
    t = nt.from_dlpack(arr)
    arr[0] = 5
    assert t.tolist() == [5.0, 1.0, 2.0]
    back = np.from_dlpack(t)
    back[1] = 6
    assert t.tolist() == [5.0, 6.0, 2.0]
    theirs = torch.from_dlpack(t)  # PyTorch consumes numbatorch's __dlpack__
    theirs[2] = 7
    assert t.tolist() == [5.0, 6.0, 7.0]
    ours = nt.from_dlpack(torch.utils.dlpack.to_dlpack(theirs))  # a bare capsule
    assert ours.tolist() == [5.0, 6.0, 7.0]
    assert nt.from_dlpack(nt.to_dlpack(t)).tolist() == t.tolist()
