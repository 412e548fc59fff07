"""Ufuncs run in two halves at once: the whole call's bits, dtype and errors exactly, a second caller running whole,
a forked child that never waits on its parent's helper, and the ops that take the split path."""
import multiprocessing
import threading
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _ufunc_halves as halves

SIZES = [1, 5, 17, 1000, 4099, 100_003]
UNARY = [np.exp, np.log, np.sqrt, np.sin, np.cos, np.negative, np.absolute, np.sign, np.square, np.reciprocal]
BINARY = [np.maximum, np.minimum, np.power, np.true_divide, np.arctan2, np.hypot, np.add]
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")  # numpy's, on special values


@pytest.fixture
def split(monkeypatch):
    """Every eligible call splits, however small; a list of the ufuncs split."""
    monkeypatch.setattr(halves, "MIN_BYTES", 0)
    monkeypatch.setattr(halves, "spare_core", lambda: True)
    monkeypatch.setattr(halves.numba, "get_num_threads", lambda: 2)
    ran = []
    real = halves._split

    def spy(ufunc, *args):
        ran.append(ufunc)
        return real(ufunc, *args)
    monkeypatch.setattr(halves, "_split", spy)
    return ran


def _same(got, want):
    assert type(got) is type(want) and got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))


def _values(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 3).astype(dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0], dtype)[:n]
    x[:len(specials)] = specials
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", SIZES)
def test_unary_and_binary_bits(split, dtype, n):
    x, y = _values(n, dtype), _values(n, dtype, seed=1)
    with np.errstate(all="ignore"):
        for ufunc in UNARY:
            _same(halves.run(ufunc, x), ufunc(x))
        for ufunc in BINARY:
            _same(halves.run(ufunc, x, y), ufunc(x, y))
            _same(halves.run(ufunc, x, 2), ufunc(x, 2))
            _same(halves.run(ufunc, dtype(0.5), y), ufunc(dtype(0.5), y))
    assert len(split) == len(UNARY) + 3 * len(BINARY)


def test_integer_mixed_dtype_and_shaped_arrays(split):
    a = np.arange(-5000, 5000, dtype=np.int64).reshape(100, 100)
    b = np.arange(10000, dtype=np.int32).reshape(100, 100) % 7 + 1
    for ufunc in (np.add, np.maximum, np.floor_divide, np.bitwise_xor):
        _same(halves.run(ufunc, a, b), ufunc(a, b))
    _same(halves.run(np.exp, a), np.exp(a))  # int64 in, float64 out
    f32 = _values(10000, np.float32).reshape(100, 100)
    _same(halves.run(np.multiply, f32, a.astype(np.float64)), np.multiply(f32, a.astype(np.float64)))
    _same(halves.run(np.add, f32, 1, dtype=np.float64), np.add(f32, 1, dtype=np.float64))
    assert len(split) == 7


@pytest.mark.parametrize("n", [17, 4099])
def test_out_is_an_input(split, n):
    x, y = _values(n, np.float32), _values(n, np.float32, seed=1)
    want = np.maximum(x, y)
    got = halves.run(np.maximum, x, y, out=x)
    assert got is x
    _same(x, want)
    z = _values(n, np.float64)
    with np.errstate(all="ignore"):
        want = np.sqrt(z)
        assert halves.run(np.sqrt, z, out=(z,)) is z
    _same(z, want)
    assert len(split) == 2


def test_what_does_not_split_runs_the_plain_ufunc(split):
    base = _values(4100, np.float32)
    x, shifted = base[:-1], base[1:]
    want = np.add(x, shifted)
    assert halves.run(np.add, x, shifted, out=x) is x  # partial overlap: numpy's own buffering
    _same(x, want)
    y = _values(4000, np.float64)
    _same(halves.run(np.exp, y[::2]), np.exp(y[::2]))  # not contiguous
    _same(halves.run(np.add, y.reshape(40, 100), y[:100]), np.add(y.reshape(40, 100), y[:100]))  # broadcast
    out = np.empty_like(y)
    assert halves.run(np.exp, y, out=out) is out  # an output that is no input
    _same(out, np.exp(y))
    obj = np.arange(2000).astype(object)
    assert np.array_equal(halves.run(np.negative, obj), -obj)
    assert halves.run(np.modf, y)[0].shape == y.shape  # two outputs
    assert split == []


def test_nothing_splits_below_the_threshold_or_without_a_spare_core(split, monkeypatch):
    x = _values(10000, np.float32)
    monkeypatch.setattr(halves, "MIN_BYTES", 2 * x.nbytes + 1)
    _same(halves.run(np.exp, x), np.exp(x))
    monkeypatch.setattr(halves, "MIN_BYTES", 0)
    monkeypatch.setattr(halves, "spare_core", lambda: False)
    _same(halves.run(np.exp, x), np.exp(x))
    assert split == []


def _zero_at(n, index):
    x = np.ones(n)
    x[index] = 0.0
    return x


@pytest.mark.parametrize("where", [10, 9990])  # in the caller's part, in the helper's
def test_errstate_raise_from_either_half(split, where):
    x = _zero_at(10000, where)
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError, match="divide by zero encountered in log"):
            halves.run(np.log, x)
        with np.errstate(divide="ignore"):
            _same(halves.run(np.log, x), np.log(x))
    assert len(split) == 2


def test_warnings_once_per_kind_in_numpys_order(split):
    x = _zero_at(10000, 9990)
    x[5] = -1.0  # invalid in the caller's half, divide by zero in the helper's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        halves.run(np.log, x)
    assert [str(w.message) for w in caught] == ["divide by zero encountered in log",
                                                "invalid value encountered in log"]
    assert all(w.category is RuntimeWarning for w in caught)
    with warnings.catch_warnings(record=True) as caught, np.errstate(invalid="ignore"):
        warnings.simplefilter("always")
        halves.run(np.log, x)
    assert [str(w.message) for w in caught] == ["divide by zero encountered in log"]


class _Log(list):
    def write(self, line):
        self.append(line)


def test_errstate_call_and_log(split):
    x = _zero_at(10000, 9990)
    x[5] = -1.0
    got, want = [], []
    for run, seen in ((halves.run, got), (lambda ufunc, x: ufunc(x), want)):
        with np.errstate(all="call", call=lambda kind, status: seen.append((kind, status))):
            run(np.log, x)
        log = _Log()
        with np.errstate(all="log", call=log):
            run(np.log, x)
        seen.extend(log)
    assert got == want and len(got) == 4


class _Boom(Exception):
    pass


def _boom():
    raise _Boom("in the helper")


class _FailingHelper(halves._Helper):
    """A helper whose every half raises."""

    @property
    def task(self):
        return self._task

    @task.setter
    def task(self, task):
        self._task = None if task is None else _boom


def test_an_exception_in_the_helper_half_reaches_the_caller(split, monkeypatch):
    x = _values(10000, np.float64)
    monkeypatch.setattr(halves, "_helper", _FailingHelper())
    with pytest.raises(_Boom, match="in the helper"):
        halves.run(np.exp, x)
    assert not halves._busy.locked()
    monkeypatch.setattr(halves, "_helper", None)
    _same(halves.run(np.exp, x), np.exp(x))


def test_two_threads_at_once(split):
    arrays = [_values(200_000, np.float32, seed=s) for s in range(4)]
    wants = [np.sin(a) for a in arrays]
    errors = []
    barrier = threading.Barrier(4)

    def work(i):
        try:
            barrier.wait()
            for _ in range(20):
                _same(halves.run(np.sin, arrays[i]), wants[i])
        except BaseException as error:
            errors.append(error)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads) and errors == []
    assert 0 < len(split) <= 80  # some ran whole: the helper was busy


def _child(queue):
    x = np.linspace(-3, 3, 100_000)
    same = np.array_equal(halves.run(np.exp, x), np.exp(x))
    queue.put(bool(same) and halves._helper is not None and halves._helper.thread.is_alive())


def test_a_forked_child_splits_without_its_parents_helper(split):
    x = _values(10000, np.float64)
    halves.run(np.exp, x)  # the parent's helper exists
    assert split
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with halves._busy:  # held at the fork by this thread: the child gets a free lock
        child = context.Process(target=_child, args=(queue,))
        child.start()
    child.join(timeout=60)
    assert child.exitcode == 0 and queue.get(timeout=5) is True


OPS = {
    "exp": lambda x: x.exp(), "log": lambda x: (x.abs() + 1).log(), "abs": lambda x: x.abs(), "neg": lambda x: -x,
    "sin": lambda x: x.sin(), "pow2": lambda x: x ** 2, "rsqrt": lambda x: (x.abs() + 1).rsqrt(),
    "reciprocal": lambda x: (x.abs() + 1).reciprocal(), "maximum": lambda x: nt.maximum(x, x * 0.5),
}
SPLITS = {"exp": {np.exp}, "log": {np.log, np.absolute, np.sign}, "abs": {np.absolute, np.sign},
          "neg": {np.negative}, "sin": {np.sin, np.cos}, "pow2": {np.power},
          "rsqrt": {np.sqrt, np.true_divide}, "reciprocal": {np.true_divide, np.negative},
          "maximum": {np.maximum}}


@pytest.mark.parametrize("name", OPS)
def test_wired_ops_split_large_arrays_with_numpys_bits(split, monkeypatch, name):
    """Forward and backward of each op on 2 MiB: the same bits whether the calls split or not."""
    monkeypatch.setattr(halves, "MIN_BYTES", 1 << 20)
    x0 = _values(1 << 19, np.float32).reshape(512, 1024)
    x0[~np.isfinite(x0)] = 0.5
    results = []
    for threshold in (1 << 60, 1 << 20):
        monkeypatch.setattr(halves, "MIN_BYTES", threshold)
        x = nt.tensor(x0, requires_grad=True)
        y = OPS[name](x)
        y.backward(nt.ones_like(y))
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    assert SPLITS[name] <= set(split)
    for whole, parts in zip(*results):
        _same(parts, whole)
