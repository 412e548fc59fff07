"""Add/subtract/multiply/divide of a whole array and a smaller one broadcast against it on Numba's threads
(backends/cpu/_broadcast_kernels.py): the shape groups, numpy's bits in both builds and the stand-in (IEEE special
values included, both operand orders), the dispatch, and where numpy keeps the op."""
import numba
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _arithmetic_kernels as A, _broadcast_kernels as B

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import SPECIALS, _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")  # numpy's, on special values
needs_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="the kernels run from 2 threads")
UFUNCS = [np.add, np.subtract, np.multiply, np.true_divide]
# (whole shape, small shape): a per-channel scale, a row, a column, a channel-last vector, a plane per sample,
# leading 1s, 1-sized dimensions of the whole array
PAIRS = [((4, 6, 8, 8), (6, 1, 1)), ((4, 6, 8, 8), (1, 6, 1, 1)), ((40, 24), (24,)), ((40, 24), (40, 1)),
         ((4, 6, 8, 8), (8,)), ((4, 6, 8, 8), (4, 1, 8, 8)), ((4, 6, 8, 8), (4, 6, 1, 1)), ((4, 1, 6, 8), (6, 1))]


def _values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape).astype(dtype)
    with np.errstate(over="ignore"):
        specials = np.array(SPECIALS, dtype)
    flat = a.reshape(-1)
    flat[:min(flat.size, specials.size)] = specials[:flat.size]
    return a


@pytest.mark.parametrize("shape,small,want", [
    ((4, 6, 8, 8), (6, 1, 1), (6, 64, 0, 1, 0)),
    ((40, 24), (24,), (40, 24, 0, 0, 1)),
    ((40, 24), (40, 1), (40, 24, 0, 1, 0)),
    ((4, 6, 8, 8), (4, 1, 8, 8), (6, 64, 64, 0, 1)),
    ((4, 1, 6, 8), (6, 1), (6, 8, 0, 1, 0)),
    ((5, 7), (1, 1), (1, 35, 0, 0, 0)),
])
def test_groups(shape, small, want):
    assert B.groups(shape, small) == want


def test_groups_beyond_three_alternations():
    assert B.groups((3, 4, 5), (3, 1, 5)) == (4, 5, 5, 0, 1)  # whole, broadcast, whole
    assert B.groups((2, 3, 4, 5), (3, 1, 5)) is None  # broadcast, whole, broadcast, whole


def _expected(ufunc, whole, small, small_first):
    with np.errstate(all="ignore"):
        return ufunc(small, whole) if small_first else ufunc(whole, small)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,small_shape", PAIRS)
@pytest.mark.parametrize("ufunc", UFUNCS)
def test_both_builds_and_the_stand_in_give_numpys_bits(ufunc, shape, small_shape, dtype):
    whole, small = _values(shape, dtype, 0), _values(small_shape, dtype, 1)
    layout = B.groups(shape, small_shape)
    twin = B._TWINS[B._CODES[ufunc]]
    for small_first in (False, True):
        want = _expected(ufunc, whole, small, small_first)
        for build in (twin.serial, twin.parallel, B._stand_in(B._CODES[ufunc])):
            got = np.empty_like(whole)
            with np.errstate(all="ignore"):
                build(whole.reshape(-1), small.reshape(-1), got.reshape(-1), *layout, small_first)
            _assert_same_bits(got, want)


@pytest.fixture
def threaded(monkeypatch):
    """The kernels run wherever they apply; a list of the twins run."""
    return spy_on_threads(B, monkeypatch)


def _large(shape=(64, 32, 32, 32), small_shape=(32, 1, 1), dtype=np.float32):
    """A whole array of 8 MiB (float32: past MIN_ARITHMETIC_BYTES) and a per-channel operand."""
    return _values(shape, dtype, 2), _values(small_shape, dtype, 3)


@needs_threads
@pytest.mark.parametrize("ufunc", UFUNCS)
def test_dispatch_runs_on_the_threads_in_both_orders_and_in_place(threaded, ufunc):
    whole, small = _large()
    for small_first in (False, True):
        want = _expected(ufunc, whole, small, small_first)
        operands = (small, whole) if small_first else (whole, small)
        with np.errstate(all="ignore"):
            _assert_same_bits(A.run(ufunc, *operands), want)
    want = _expected(ufunc, whole, small, False)
    with np.errstate(all="ignore"):
        assert A.run(ufunc, whole, small, out=whole) is whole
    _assert_same_bits(whole, want)
    assert threaded == [B._TWINS[B._CODES[ufunc]]] * 3


@needs_threads
@pytest.mark.parametrize("case", ["small", "mixed dtypes", "float16", "transposed", "strided small", "out is small",
                                  "other out", "row of itself", "too many groups", "both broadcast",
                                  "power"])
def test_numpy_runs_where_the_kernels_do_not_apply(threaded, case):
    whole, small = _large()
    ufunc, out = np.multiply, None
    if case == "small":
        whole = whole[:1].copy()
    elif case == "mixed dtypes":
        small = small.astype(np.float64)
    elif case == "float16":
        whole, small = whole.astype(np.float16), small.astype(np.float16)
    elif case == "transposed":
        whole = whole.transpose(0, 1, 3, 2)
    elif case == "strided small":
        small = _values((64, 1, 1), np.float32, 4)[::2]
    elif case == "out is small":
        whole, small = whole[:, :1, :1, :1].copy(), _values((64, 32, 32, 32), np.float32, 5)
        with pytest.raises(ValueError):  # numpy's own error: the output cannot hold the broadcast result
            A.run(np.multiply, whole, small, out=whole)
        assert threaded == []
        return
    elif case == "other out":
        out = np.empty_like(whole)
    elif case == "row of itself":  # in place, reading one of its own rows: numpy buffers the row
        whole = _values((4096, 512), np.float32, 13)
        small = whole[5]
        want = whole + whole[5].copy()
        _assert_same_bits(A.run(np.add, whole, small, out=whole), want)
        assert threaded == []
        return
    elif case == "too many groups":
        whole, small = _values((8, 4, 8, 4, 256), np.float32, 6), _values((8, 1, 8, 1, 256), np.float32, 7)
    elif case == "both broadcast":
        whole, small = _values((2048, 1), np.float32, 10), _values((1, 2048), np.float32, 11)
    else:
        ufunc = np.power
    want = ufunc(whole, small)
    _assert_same_bits(A.run(ufunc, whole, small, out=out), want)
    assert threaded == []


@pytest.mark.parametrize("why", ["busy neighbour", "few rows"])
def test_serial_build_on_the_calling_thread(monkeypatch, why):
    """Where the threads do not pay, the serial build still runs (faster than numpy's broadcast loop, same bits)."""
    whole, small = _large()
    if why == "few rows":
        whole, small = _values((2, 1 << 20), np.float32, 8), _values((1 << 20,), np.float32, 9)
    monkeypatch.setattr(A, "spare_core", lambda: why != "busy neighbour")
    code = B._CODES[np.multiply]
    twin, ran = B._TWINS[code], []

    def serial(*args):
        ran.append(args[3:])
        return twin.serial(*args)
    monkeypatch.setitem(B._TWINS, code, twin._replace(serial=serial))
    _assert_same_bits(A.run(np.multiply, whole, small), whole * small)
    assert ran == [B.groups(whole.shape, small.shape) + (False,)]


@needs_threads
def test_tensor_ops_and_gradients_take_the_kernels(threaded):
    whole, small = _large(dtype=np.float64)
    x, scale = nt.tensor(whole, requires_grad=True), nt.tensor(small, requires_grad=True)
    y = (x * scale + scale) / scale - scale  # specials in both: overflow and NaN warnings expected
    _assert_same_bits(y.detach().numpy(), (whole * small + small) / small - small)
    grad = _values(whole.shape, np.float64, 12)
    y.backward(nt.tensor(grad))
    _assert_same_bits(x.grad.numpy(), grad / small * small)  # through div, then mul
    assert B._TWINS[B._CODES[np.multiply]] in threaded and B._TWINS[B._CODES[np.true_divide]] in threaded


def test_values_and_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    whole, small = _large()
    grads = []
    for lib in (nt, torch):
        x, scale = lib.tensor(whole, requires_grad=True), lib.tensor(small, requires_grad=True)
        y = x * scale - scale
        y.backward(lib.ones_like(y))
        grads.append((y.detach().numpy(), x.grad.numpy(), scale.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-3, equal_nan=True)
