"""numbatorch._tensor_str must print exactly what PyTorch prints for the same data."""

import numpy as np
import pytest

from numbatorch import _tensor_str
from numbatorch._tensor_str import get_printoptions, set_printoptions, tensor_repr

torch = pytest.importorskip("torch")


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


def _torch_repr(t):
    return repr(t)


def _assert_same(arr, **kwargs):
    expected = _torch_repr(torch.from_numpy(arr))
    got = tensor_repr(arr, _dtype_name(torch.from_numpy(arr)), **kwargs)
    assert got == expected, f"\n--- numbatorch\n{got}\n--- torch\n{expected}"


@pytest.fixture(autouse=True)
def _restore_printoptions(monkeypatch):
    # Same dtype module name as PyTorch, so that suffix wrapping is compared exactly.
    monkeypatch.setattr(_tensor_str, "DTYPE_MODULE", "torch")
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _cases():
    rng = np.random.default_rng(0)
    normal = rng.standard_normal
    cases = {
        "vector": normal(5).astype(np.float32),
        "matrix": normal((4, 6)).astype(np.float32),
        "3d": normal((2, 3, 4)).astype(np.float32),
        "4d": normal((2, 2, 2, 3)),
        "float64": normal((3, 3)),
        "float16": normal((3, 4)).astype(np.float16),
        "scaled_up": (normal((3, 5)) * 1e3).astype(np.float32),
        "ratio_sci": np.array([1e-2, 20.0, 3e3], dtype=np.float32),
        "huge": np.array([1e9, 2.5, -3.0], dtype=np.float32),
        "tiny": np.array([1e-5, 2e-5, 0.0], dtype=np.float32),
        "tiny_float64": np.array([1e-300, -1e300, 1.0]),
        "rounds_up": np.array([9.99996, -0.00004, 0.5]),
        "neg_zero": np.array([-0.0, 0.0, 1.5], dtype=np.float32),
        "int_valued": np.array([[1.0, -2.0, 30.0], [0.0, 4.0, 5.0]], dtype=np.float32),
        "int_valued_sci": np.array([1.0, 1e9], dtype=np.float32),
        "int_valued_large": np.array([1e7, -3.0], dtype=np.float64),
        "all_zero": np.zeros((2, 3), dtype=np.float32),
        "nan_inf": np.array([np.nan, np.inf, -np.inf, 1.5, 0.0], dtype=np.float32),
        "nan_inf_int_valued": np.array([np.nan, -np.inf, 2.0, 100.0]),
        "only_nonfinite": np.array([np.nan, np.inf, -np.inf], dtype=np.float32),
        "nan_sci": np.array([np.nan, 1e-6, 3.0], dtype=np.float32),
        "scalar": np.array(0.0005, dtype=np.float32),
        "scalar_int_valued": np.array(3.0, dtype=np.float32),
        "scalar_sci": np.array(1e-9),
        "scalar_nan": np.array(np.nan, dtype=np.float32),
        "scalar_int": np.array(7, dtype=np.int64),
        "scalar_int32": np.array(-7, dtype=np.int32),
        "scalar_bool": np.array(True),
        "int64": rng.integers(-1000, 1000, (3, 4)).astype(np.int64),
        "int32": rng.integers(-5, 5, (6,)).astype(np.int32),
        "int16": rng.integers(-300, 300, (2, 3)).astype(np.int16),
        "int8": rng.integers(-100, 100, (2, 3)).astype(np.int8),
        "uint8": rng.integers(0, 255, (2, 5)).astype(np.uint8),
        "bool": np.array([True, False, True]),
        "bool_matrix": rng.random((3, 3)) > 0.5,
        "complex64": (normal(4) + 1j * normal(4)).astype(np.complex64),
        "complex128_sci": np.array([1e-6 + 2j, -3 - 4e4j, 0j]),
        "empty": np.zeros((0,), dtype=np.float32),
        "empty_2d": np.zeros((0, 3), dtype=np.float32),
        "empty_int": np.zeros((0,), dtype=np.int64),
        "empty_float64_3d": np.zeros((2, 0, 3)),
        "empty_bool": np.zeros((0, 2), dtype=bool),
        "long_row": normal(40).astype(np.float32),
        "long_rows_3d": normal((2, 2, 30)).astype(np.float32),
        "long_int_row": np.arange(100, dtype=np.int64) * 1234567,
        "long_sci_row": (normal(30) * 1e-7).astype(np.float64),
        "summarized_vector": normal(1001).astype(np.float32),
        "summarized_matrix": normal((50, 40)).astype(np.float32),
        "summarized_3d": (normal((10, 11, 12)) * 100).astype(np.float32),
        "summarized_short_dim": normal((2, 600)).astype(np.float32),
        "summarized_int": np.arange(2000, dtype=np.int64).reshape(40, 50),
        "summarized_bool": rng.random(1500) > 0.5,
        "summarized_edges_set_width": np.concatenate(
            [np.ones(3), np.full(1000, 1e9), np.ones(3)]).astype(np.float32),
    }
    for i, scale in enumerate([1e-8, 1e-3, 1.0, 1e2, 1e6, 1e12]):
        shape = [(7,), (3, 5), (2, 3, 4)][i % 3]
        cases[f"random_scale_{scale:g}"] = (normal(shape) * scale).astype(np.float32)
    return cases


_CASES = _cases()


@pytest.mark.parametrize("name", list(_CASES))
def test_repr_matches_torch(name):
    _assert_same(_CASES[name])


def test_non_contiguous_array():
    arr = np.arange(24, dtype=np.float32).reshape(4, 6)[::2, ::-3] / 7
    _assert_same(arr)


@pytest.mark.parametrize("name", ["vector", "3d", "int64", "long_row", "summarized_matrix"])
def test_grad_fn_and_requires_grad_suffixes(name):
    arr = _CASES[name].astype(np.float64)
    leaf = torch.tensor(arr, requires_grad=True)
    assert tensor_repr(arr, "float64", requires_grad=True) == _torch_repr(leaf)
    product = leaf * 2
    got = tensor_repr(product.detach().numpy(), "float64",
                      grad_fn_name=type(product.grad_fn).__name__, requires_grad=True)
    assert got == _torch_repr(product)


def test_suffix_wraps_to_new_line():
    # The last line is just short enough that a dtype fits but a long grad_fn does not.
    arr = np.arange(1, 11, dtype=np.float64) / 3
    leaf = torch.tensor(arr, requires_grad=True)
    out = torch.nn.functional.softplus(leaf)
    got = tensor_repr(out.detach().numpy(), "float64", grad_fn_name=type(out.grad_fn).__name__)
    assert got == _torch_repr(out)
    assert "\n" in got


def test_device_suffix_placement():
    # PyTorch here is CPU-only: build its cuda repr from its own suffix rule.
    for arr in (_CASES["vector"], _CASES["long_row"], _CASES["float64"]):
        t = torch.from_numpy(arr)
        suffixes = ["device='cuda:0'"]
        if t.dtype != torch.float32:
            suffixes.append("dtype=" + str(t.dtype))
        body = "tensor(" + torch._tensor_str._tensor_str(t, len("tensor("))
        expected = torch._tensor_str._add_suffixes(body, suffixes, len("tensor("), False)
        got = tensor_repr(arr, _dtype_name(t), device="cuda:0")
        assert got == expected


def test_subclass_prefix():
    class MyTensor(torch.Tensor):
        pass

    arr = _CASES["long_rows_3d"]
    t = torch.from_numpy(arr).as_subclass(MyTensor)
    assert tensor_repr(arr, "float32", prefix="MyTensor(") == _torch_repr(t)


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    for arr in (_CASES["vector"], _CASES["float64"], _CASES["complex128_sci"],
                _CASES["complex64"], _CASES["empty"], _CASES["empty_float64_3d"]):
        t = torch.from_numpy(arr)
        assert tensor_repr(arr, _dtype_name(t), default_dtype_name="float64") == _torch_repr(t)


_OPTION_SETS = [
    dict(precision=2),
    dict(precision=8),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(linewidth=40),
    dict(linewidth=200),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="short", precision=6, sci_mode=True),
]


@pytest.mark.parametrize("options", _OPTION_SETS, ids=str)
def test_printoptions_match_torch(options):
    set_printoptions(**options)
    torch.set_printoptions(**options)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for name in ("vector", "matrix", "3d", "huge", "tiny", "int_valued", "nan_inf",
                 "all_zero", "scalar", "int64", "bool", "empty_2d", "long_row",
                 "summarized_vector", "summarized_3d", "complex64"):
        _assert_same(_CASES[name])


def test_set_printoptions_resets_sci_mode_and_profile_default():
    set_printoptions(sci_mode=True, precision=3, edgeitems=5)
    torch.set_printoptions(sci_mode=True, precision=3, edgeitems=5)
    set_printoptions(linewidth=60)
    torch.set_printoptions(linewidth=60)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    assert get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_restores():
    before = get_printoptions()
    with _tensor_str.printoptions(precision=1, threshold=3):
        with torch._tensor_str.printoptions(precision=1, threshold=3):
            _assert_same(_CASES["matrix"])
    assert get_printoptions() == before


def test_random_fuzz():
    rng = np.random.default_rng(1)
    for _ in range(60):
        ndim = int(rng.integers(0, 4))
        shape = tuple(int(s) for s in rng.integers(1, 9, ndim))
        arr = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 10)
        kind = rng.integers(0, 4)
        if kind == 1:
            arr = np.round(arr)
        elif kind == 2 and arr.size:
            arr.flat[rng.integers(0, arr.size)] = [np.nan, np.inf, -np.inf][rng.integers(0, 3)]
        dtype = [np.float32, np.float64, np.float16][rng.integers(0, 3)]
        with np.errstate(over="ignore"):
            _assert_same(np.asarray(arr.astype(dtype)))


def test_dtype_printed_with_numbatorch_module(monkeypatch):
    monkeypatch.setattr(_tensor_str, "DTYPE_MODULE", "numbatorch")
    for name in ("float64", "int32", "float16", "empty_int", "complex128_sci"):
        arr = _CASES[name]
        expected = repr(torch.from_numpy(arr)).replace("torch.", "numbatorch.")
        assert tensor_repr(arr, _dtype_name(torch.from_numpy(arr))) == expected


def test_random_fuzz_with_random_printoptions():
    rng = np.random.default_rng(2)
    pool = [_CASES[name] for name in ("matrix", "3d", "rounds_up", "nan_inf", "int16",
                                      "bool_matrix", "tiny_float64", "long_rows_3d",
                                      "summarized_short_dim", "complex128_sci")]
    pool.append(np.array([0.99995, -9.99996, 99999.5, -0.00005]))
    for _ in range(40):
        options = dict(precision=int(rng.integers(0, 7)), threshold=int(rng.integers(1, 50)),
                       edgeitems=int(rng.integers(0, 4)), linewidth=int(rng.integers(5, 120)),
                       sci_mode=[None, True, False][rng.integers(0, 3)])
        set_printoptions(**options)
        torch.set_printoptions(**options)
        for arr in pool:
            _assert_same(arr)
