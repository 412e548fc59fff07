"""Threaded add/subtract/multiply/divide: numpy's bits exactly (both builds, every operand form, IEEE special
values), numpy itself wherever the kernels do not apply, and the Tensor ops and gradient sums that use them."""
import warnings

import numba
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd._grad_buffer import sum_into
from numbatorch.backends.cpu import _arithmetic_kernels as K

from ._threaded_spy import spy_on_threads

UFUNCS = [np.add, np.subtract, np.multiply, np.true_divide]
SPECIALS = [0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, -np.nan, 1e-40, -1e-310, 3e38, 1e308, 2.0 ** -149]
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")  # numpy's, on special values
needs_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="the kernels run from 2 threads")


def _operands(dtype, seed=0, shape=(512, 512)):
    """Two arrays of ``shape`` (1 MiB in float32: an op moves ``MIN_ARITHMETIC_BYTES``) whose first elements pair
    every special value with every other, the rest random."""
    rng = np.random.default_rng(seed)
    x, y = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    with np.errstate(over="ignore"):
        specials = np.array(SPECIALS, dtype)
    k = len(specials)
    x.reshape(-1)[:k * k] = np.repeat(specials, k)
    y.reshape(-1)[:k * k] = np.tile(specials, k)
    return x, y


def _bits(a):
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def _assert_same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(_bits(got), _bits(want))


@pytest.fixture
def threaded(monkeypatch):
    """The kernels run wherever they apply; a list of the twins run."""
    return spy_on_threads(K, monkeypatch)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ufunc", UFUNCS)
def test_both_builds_give_numpys_bits(dtype, ufunc):
    x, y = _operands(dtype)
    flat_x, flat_y = x.reshape(-1), y.reshape(-1)
    with np.errstate(all="ignore"):
        forms = [(flat_x, flat_y), (flat_x, dtype(0.1)), (dtype(-3.0), flat_y), (flat_x, dtype(-0.0)),
                 (dtype(np.nan), flat_y), (flat_x, dtype(np.inf))]
        for a, b in forms:
            want = ufunc(a, b)
            for build in K._TWINS[ufunc]:
                got = np.empty_like(want)
                build(a, b, got)
                _assert_same_bits(got, want)


@needs_threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ufunc", UFUNCS)
@pytest.mark.parametrize("other", ["array", 0.1, -0.0, 3, 2 ** 40 + 1, float("inf"), float("nan"), "0-d"])
def test_dispatch_gives_numpys_bits(threaded, dtype, ufunc, other):
    """A Python float or int is rounded to the array's dtype as numpy does; a 0-d operand is a scalar."""
    x, y = _operands(dtype)
    b = y if other == "array" else np.asarray(-2.5, dtype) if other == "0-d" else other
    with np.errstate(all="ignore"):
        for first, second in ((x, b), (b, x)):
            _assert_same_bits(K.run(ufunc, first, second), ufunc(first, second))
    assert threaded == [K._TWINS[ufunc]] * 2


@needs_threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_is_an_operand(threaded, dtype):
    x, y = _operands(dtype)
    want = x + y
    got = K.add(x, y, out=x)
    assert got is x
    _assert_same_bits(got, want)
    x, y = _operands(dtype)
    got = K.add(x, y, out=y)
    assert got is y
    _assert_same_bits(got, want)
    assert len(threaded) == 2


@needs_threads
@pytest.mark.parametrize("case", ["small", "under the bytes", "int32", "float16", "mixed dtypes", "row broadcast",
                                  "transposed", "size-1 array", "huge int", "bool", "other out"])
def test_numpy_runs_where_the_kernels_do_not_apply(threaded, case):
    x, y = _operands(np.float32)
    out = None
    if case == "small":
        x, y = x[:2], y[:2]
    elif case == "under the bytes":  # more elements than the first check lets through, too few bytes moved
        x, y = x[:200], y[:200]
        assert x.size >= K.MIN_ARITHMETIC_ELEMENTS and 3 * x.nbytes < K.MIN_ARITHMETIC_BYTES
    elif case in ("int32", "float16"):
        x, y = x.astype(case), y.astype(case)
    elif case == "mixed dtypes":
        y = y.astype(np.float64)
    elif case == "row broadcast":
        y = y[:1]
    elif case == "transposed":
        y = y.T
    elif case == "size-1 array":
        y = y[:1, :1]
    elif case == "huge int":
        y = 2 ** 60 + 1
    elif case == "bool":
        y = True
    else:
        out = np.empty_like(x)
    want = np.add(x, y)
    _assert_same_bits(K.add(x, y, out=out), want)
    assert threaded == []


@needs_threads
def test_bytes_moved_count_every_array_and_the_output(threaded):
    """768 KiB float32 operands: x + y and x += y read two arrays and write one (2.25 MiB, threaded); x * 0.5 and
    x *= 0.5 read one and write one (1.5 MiB, numpy), whether the output is new or x itself."""
    x, y = _operands(np.float32, shape=(384, 512))
    assert 3 * x.nbytes >= K.MIN_ARITHMETIC_BYTES > 2 * x.nbytes
    want = x + y
    _assert_same_bits(K.run(np.add, x, y), want)
    _assert_same_bits(K.add(x, y, out=x), want)
    assert threaded == [K._TWINS[np.add]] * 2
    x, _ = _operands(np.float32, shape=(384, 512))
    halved = x * np.float32(0.5)
    _assert_same_bits(K.multiply(x, 0.5), halved)
    _assert_same_bits(K.multiply(x, 0.5, out=x), halved)
    assert threaded == [K._TWINS[np.add]] * 2


def test_numpy_runs_on_one_thread(threaded):
    x, y = _operands(np.float64)
    numba.set_num_threads(1)
    try:
        got = K.multiply(x, y)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    _assert_same_bits(got, x * y)
    assert threaded == []


def test_numpy_runs_beside_a_busy_neighbour(threaded, monkeypatch):
    monkeypatch.setattr(K, "spare_core", lambda: False)
    x, y = _operands(np.float32)
    _assert_same_bits(K.run(np.subtract, x, y), x - y)
    assert threaded == []


@needs_threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensor_ops_and_their_gradients(threaded, dtype):
    """The ops and the gradients the engine computes and sums with the kernels, bit for bit against numpy."""
    x, y = _operands(dtype)
    x[:1] = np.where(x[:1] == 0, 1, x[:1])  # gradients through a division by zero are nan, a division of it too
    a, b = nt.tensor(x, requires_grad=True), nt.tensor(y, requires_grad=True)
    with np.errstate(all="ignore"):
        for op, ufunc in ((nt.add, np.add), (nt.sub, np.subtract), (nt.mul, np.multiply), (nt.div, np.true_divide)):
            _assert_same_bits(op(a, b).detach().numpy(), ufunc(x, y))
            _assert_same_bits(op(a, 0.25).detach().numpy(), ufunc(x, dtype(0.25)))
            _assert_same_bits(op(1.5, b).detach().numpy(), ufunc(dtype(1.5), y))
        seed = np.ones_like(x) * dtype(0.3)
        ((a * b) / 0.7 + a * 0.5).backward(nt.tensor(seed))
        g = np.true_divide(seed, dtype(0.7))
        _assert_same_bits(a.grad.numpy(), g * y + seed * dtype(0.5))
        _assert_same_bits(b.grad.numpy(), g * x)
    assert len(threaded) > 20


@needs_threads
def test_gradient_sums(threaded):
    x, y = _operands(np.float32)
    want = x + y
    items = [x.copy()]
    g = y.copy()
    sum_into(items, 0, g)
    _assert_same_bits(items[0], want)
    held = x.copy()
    items = [held]
    sum_into(items, 0, y)  # an array held elsewhere is not written to
    _assert_same_bits(items[0], want)
    _assert_same_bits(held, x)
    assert len(threaded) == 2


@needs_threads
def test_grad_accumulated_over_backward_calls(threaded):
    """A second backward adds into ``.grad`` in place, on the threads: the bits of ``first + second``."""
    x, y = _operands(np.float32, shape=(1024, 1024))
    w = nt.tensor(x, requires_grad=True)
    (w * 2).sum().backward()
    first = w.grad
    held = first._data
    (w * nt.tensor(y)).sum().backward()
    assert w.grad is first and first._data is held
    _assert_same_bits(w.grad.numpy(), np.float32(2) + y)
    assert K._TWINS[np.add] in threaded


def test_division_by_zero_stays_silent():
    """numpy's warnings, raised in the kernels' module where numpy runs, are silenced as PyTorch is silent."""
    a = nt.tensor([1.0, 0.0, -2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a / 0).sum().backward()
        (a.detach() / nt.zeros(3)).sum()
    assert a.grad.tolist() == [float("inf")] * 3
