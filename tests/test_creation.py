"""Tensor factories and dtype inference compared with PyTorch; random factories and generators."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")


def _name(dtype):
    return str(dtype).split(".")[-1]


def _same(ours, theirs, exact=True):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert _name(ours.dtype) == _name(theirs.dtype)
    if exact:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    else:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


DATA = [
    ("int_scalar", 3),
    ("float_scalar", 2.5),
    ("bool_scalar", True),
    ("int_list", [1, 2, 3]),
    ("float_list", [1.0, 2.5]),
    ("mixed_list", [1, 2.5]),
    ("bool_list", [True, False]),
    ("mixed_bool_int", [True, 2]),
    ("nested", [[1, 2], [3, 4]]),
    ("nested_float", [[1.0], [2.0]]),
    ("tuple", (1, 2)),
    ("empty", []),
    ("np_float64", np.arange(3, dtype=np.float64)),
    ("np_float32", np.arange(3, dtype=np.float32)),
    ("np_int32", np.arange(3, dtype=np.int32)),
    ("np_uint8", np.arange(3, dtype=np.uint8)),
    ("np_bool", np.array([True, False])),
    ("np_scalar_f64", np.float64(1.5)),
    ("np_scalar_i32", np.int32(7)),
    ("list_of_np_f64", [np.float64(1.0), np.float64(2.0)]),
    ("nested_numpy_rows", [np.ones(2, dtype=np.float64), np.zeros(2, dtype=np.float64)]),
    ("big_int", [2 ** 40]),
    ("np_f64_first_of_mixed", [np.float64(1.0), 2]),
    ("np_int32_with_int", [np.int32(1), 2]),
    ("bool_and_float", [True, 2.5]),
]
DATA += [("float_then_np_f64", [1.0, np.float64(2.0)]), ("np_f32_then_float", [np.float32(1.0), 2.0])]


@pytest.mark.parametrize("name,data", [pytest.param(*d, id=d[0]) for d in DATA])
def test_tensor_dtype_inference(name, data):
    _same(nt.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool", "float16"])
def test_tensor_explicit_dtype(dtype):
    data = [[0, 1.5], [2, 3]]
    _same(nt.tensor(data, dtype=getattr(nt, dtype)), torch.tensor(data, dtype=getattr(torch, dtype)))


def test_tensor_copies_and_as_tensor_shares():
    arr = np.zeros(3)
    t = nt.tensor(arr)
    arr[0] = 5
    assert t[0].item() == 0 if hasattr(t, "__getitem__") else t.numpy()[0] == 0
    shared = nt.as_tensor(arr)
    arr[1] = 7
    assert shared.numpy()[1] == 7
    assert nt.as_tensor(shared) is shared


def test_from_numpy_shares_memory_both_ways():
    arr = np.arange(4.0)
    t = nt.from_numpy(arr)
    assert t.dtype is nt.float64
    arr[0] = 10
    assert t.numpy()[0] == 10
    t.numpy()[1] = 20
    assert arr[1] == 20
    with pytest.raises(TypeError):
        nt.from_numpy([1, 2])


def test_tensor_rejects_ragged_and_strings():
    with pytest.raises(ValueError):
        nt.tensor([[1, 2], [3]])
    with pytest.raises((TypeError, ValueError)):
        nt.tensor("abc")


def test_legacy_constructor():
    t = nt.Tensor(3, 4)
    assert tuple(t.shape) == (3, 4) and t.dtype is nt.float32
    _same(nt.Tensor([1, 2, 3]), torch.Tensor([1, 2, 3]))
    _same(nt.Tensor([[1.5, 2]]), torch.Tensor([[1.5, 2]]))
    assert tuple(nt.Tensor().shape) == tuple(torch.Tensor().shape)
    assert tuple(nt.Tensor(nt.Size([2, 5])).shape) == (2, 5)


RANGES = [
    ("arange_int", lambda m: m.arange(5)),
    ("arange_start_end", lambda m: m.arange(2, 9, 3)),
    ("arange_float", lambda m: m.arange(0, 1, 0.1)),
    ("arange_float_end", lambda m: m.arange(5.0)),
    ("arange_negative", lambda m: m.arange(5, -3, -2)),
    ("arange_dtype", lambda m: m.arange(0, 3, dtype=m.float64)),
    ("arange_awkward", lambda m: m.arange(-1, 1, 0.3)),
    ("linspace", lambda m: m.linspace(-1, 1, 7)),
    ("linspace_one", lambda m: m.linspace(3, 10, 1)),
    ("linspace_f64", lambda m: m.linspace(0, 1, 11, dtype=m.float64)),
    ("logspace", lambda m: m.logspace(-2, 2, 5)),
    ("logspace_base2", lambda m: m.logspace(0, 4, 5, base=2)),
    ("zeros", lambda m: m.zeros(2, 3)),
    ("zeros_tuple", lambda m: m.zeros((2, 3), dtype=m.int64)),
    ("ones_list", lambda m: m.ones([2])),
    ("full_float", lambda m: m.full((2, 2), 1.5)),
    ("full_int", lambda m: m.full((2,), 7)),
    ("full_bool", lambda m: m.full((2,), True)),
    ("eye", lambda m: m.eye(3)),
    ("eye_rect", lambda m: m.eye(2, 4, dtype=m.int32)),
    ("zeros_like", lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32))),
    ("ones_like_dtype", lambda m: m.ones_like(m.ones(2), dtype=m.float64)),
    ("full_like", lambda m: m.full_like(m.ones(2, 2), 4)),
    ("empty_like_shape", lambda m: m.empty_like(m.ones(2, 5)).fill_(0)),
    ("new_zeros", lambda m: m.ones(2, dtype=m.float64).new_zeros(3)),
    ("new_ones", lambda m: m.ones(2, dtype=m.int32).new_ones((2, 2))),
    ("new_full", lambda m: m.ones(2).new_full((2,), 3.5)),
    ("new_tensor", lambda m: m.ones(2, dtype=m.float64).new_tensor([1, 2])),
]


@pytest.mark.parametrize("name,fn", RANGES, ids=[r[0] for r in RANGES])
def test_factories_match_torch(name, fn):
    _same(fn(nt), fn(torch), exact=False)


def test_requires_grad_factories():
    t = nt.zeros(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        nt.zeros(2, dtype=nt.int64, requires_grad=True)


def test_randperm_is_permutation():
    p = nt.randperm(50)
    assert p.dtype is nt.int64
    assert sorted(p.tolist()) == list(range(50))


def test_random_factories_shapes_dtypes_ranges():
    r = nt.rand(1000)
    assert r.dtype is nt.float32 and 0 <= r.numpy().min() and r.numpy().max() < 1
    n = nt.randn(2000, dtype=nt.float64)
    assert n.dtype is nt.float64 and abs(n.numpy().mean()) < 0.1 and abs(n.numpy().std() - 1) < 0.1
    i = nt.randint(3, 7, (500,))
    assert i.dtype is nt.int64 and set(i.tolist()) == {3, 4, 5, 6}
    assert set(nt.randint(2, (100,)).tolist()) == {0, 1}
    b = nt.bernoulli(nt.full((1000,), 0.3))
    assert 0.2 < b.numpy().mean() < 0.4
    m = nt.multinomial(nt.tensor([0.0, 1.0, 3.0]), 200, replacement=True)
    assert m.dtype is nt.int64 and 0 not in m.tolist()
    assert sorted(nt.multinomial(nt.tensor([1.0, 1.0, 1.0]), 3).tolist()) == [0, 1, 2]
    normal = nt.normal(nt.zeros(3), nt.ones(3))
    assert tuple(normal.shape) == (3,)
    assert tuple(nt.normal(2.0, 3.0, size=(4, 2)).shape) == (4, 2)


def test_manual_seed_reproducible():
    nt.manual_seed(123)
    a = nt.randn(5).tolist(), nt.rand(3).tolist(), nt.randperm(6).tolist()
    nt.manual_seed(123)
    b = nt.randn(5).tolist(), nt.rand(3).tolist(), nt.randperm(6).tolist()
    assert a == b
    assert nt.initial_seed() == 123
    nt.manual_seed(124)
    assert nt.randn(5).tolist() != a[0]


def test_generator_objects_are_independent():
    g1 = nt.Generator().manual_seed(7)
    g2 = nt.Generator()
    g2.manual_seed(7)
    nt.manual_seed(0)
    x = nt.randn(4, generator=g1).tolist()
    nt.randn(10)  # advancing the default generator must not affect g2
    assert nt.randn(4, generator=g2).tolist() == x
    assert g1.initial_seed() == 7
    state = g1.get_state()
    y = nt.rand(3, generator=g1).tolist()
    g1.set_state(state)
    assert nt.rand(3, generator=g1).tolist() == y


def test_rng_state_roundtrip():
    state = nt.get_rng_state()
    a = nt.rand(4).tolist()
    nt.set_rng_state(state)
    assert nt.rand(4).tolist() == a


def test_inplace_random_fill():
    t = nt.empty(1000).uniform_(-2, 3)
    assert -2 <= t.numpy().min() and t.numpy().max() < 3
    t.normal_(5, 0.1)
    assert abs(t.numpy().mean() - 5) < 0.05
    w = nt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.uniform_()
    with nt.no_grad():
        w.uniform_()  # initialisers run under no_grad, like nn.init


def test_device_arguments():
    assert nt.zeros(2, device="cpu").device.type == "cpu"
    assert str(nt.tensor([1.0], device=nt.device("cpu")).device) == "cpu"
