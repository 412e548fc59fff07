"""Fused in-place kernels (add_/sub_ with alpha, addcmul_, addcdiv_, lerp_): numpy's bits of the out-of-place
steps in both builds (IEEE special values included), the threaded dispatch, and numpy's steps where they do not
apply."""
import numba
import numpy as np
import pytest

from numbatorch.backends.cpu import _inplace_kernels as F

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits, _operands

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")  # numpy's, on special values
needs_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="the kernels run from 2 threads")
DTYPES = [np.float32, np.float64]
SCALARS = [-0.37, 3, 1e-30, float("inf"), float("nan")]


def _steps(op, x, a, b, scalar):
    """The out-of-place op's numpy steps, in its order, each an explicit ufunc call: what the kernels reproduce bit
    for bit. (An expression such as ``x + a * s`` may add into numpy's temporary, terms swapped, which changes
    which NaN a NaN + NaN gives: the kernels give the first term's, as ``np.add`` does.)"""
    with np.errstate(all="ignore"):
        if op in ("add", "sub"):
            return (np.add if op == "add" else np.subtract)(x, np.multiply(a, scalar))
        if op in ("addcmul", "addcdiv"):
            return np.add(x, np.multiply(scalar, (np.divide if op == "addcdiv" else np.multiply)(a, b)))
        if abs(scalar) < 0.5:
            return np.add(x, np.multiply(scalar, np.subtract(a, x)))
        return np.subtract(a, np.multiply(np.subtract(a, x), 1 - scalar))


def _builds(op):
    return {"add": F._SCALED[np.add], "sub": F._SCALED[np.subtract], "addcmul": F._ADDCMUL,
            "addcdiv": F._ADDCDIV, "lerp": F._LERP}[op]


def _call(op, x, a, b, scalar):
    """The dispatching entry point of ``op``."""
    if op in ("add", "sub"):
        return F.scaled(np.add if op == "add" else np.subtract, x, a, scalar)
    if op == "lerp":
        return F.lerp(x, a, scalar)
    return (F.addcdiv if op == "addcdiv" else F.addcmul)(x, a, b, scalar)


# A NaN factor times a NaN term is NaN either way, and which of the two is left unspecified: only add/sub's
# alpha, which multiplies the term first, is tested with NaN.
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op,scalar", [(op, scalar) for op in ("add", "sub", "addcmul", "addcdiv", "lerp")
                                       for scalar in SCALARS + [0.25, 0.75, -2.0]
                                       if scalar == scalar or op in ("add", "sub")])
def test_both_builds_give_the_steps_bits(dtype, op, scalar):
    x, a = _operands(dtype)
    b = a[::-1].copy()
    want = _steps(op, x, a, b, scalar)
    for build in _builds(op):
        got = x.copy().reshape(-1)
        args = [got, a.reshape(-1)] + ([b.reshape(-1)] if op in ("addcmul", "addcdiv") else [])
        if op == "lerp":
            near = abs(scalar) < 0.5
            build(*args, dtype(scalar if near else 1 - scalar), near)
        else:
            with np.errstate(all="ignore"):
                build(*args, dtype(scalar))
        _assert_same_bits(got.reshape(x.shape), want)


@pytest.fixture
def threaded(monkeypatch):
    """The kernels run wherever they apply; a list of the twins run."""
    return spy_on_threads(F, monkeypatch)


@needs_threads
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["add", "sub", "addcmul", "addcdiv", "lerp"])
def test_dispatch_runs_large_operands_on_the_threads(threaded, dtype, op):
    x, a = _operands(dtype, shape=(1024, 1024))
    b = a + 1
    want = _steps(op, x, a, b, 0.8)
    with np.errstate(all="ignore"):
        assert _call(op, x, a, b, 0.8) is x
    _assert_same_bits(x, want)
    assert threaded == [_builds(op)]


@needs_threads
@pytest.mark.parametrize("op", ["add", "lerp"])
def test_bytes_moved_count_x_twice(threaded, op):
    """768 KiB float32: x += a * s reads x and a and writes x, 2.25 MiB, as much as ``x + a * s`` moves: threaded.
    Counted without x's write (1.5 MiB) it stayed on one thread."""
    x, a = _operands(np.float32, shape=(384, 512))
    assert 3 * x.nbytes >= F.MIN_ARITHMETIC_BYTES > 2 * x.nbytes
    want = _steps(op, x, a, None, 0.3)
    _assert_same_bits(_call(op, x, a, None, 0.3), want)
    assert threaded == [_builds(op)]


@needs_threads
@pytest.mark.parametrize("op,case", [(op, case) for op in ("add", "sub", "addcmul", "addcdiv", "lerp")
                                     for case in ("broadcast row", "transposed", "another dtype", "tiny",
                                                  "complex scalar")
                                     if case != "complex scalar" or op != "lerp"])  # lerp takes real weights
def test_numpy_steps_where_the_kernels_do_not_apply(threaded, op, case):
    x, a = _operands(np.float32, shape=(256, 256))
    scalar = 0.3
    if case == "broadcast row":
        a = a[:1]
    elif case == "transposed":
        a = a.T
    elif case == "another dtype":
        a = a.astype(np.float16)
    elif case == "tiny":
        x, a = x[:2, :3].copy(), a[:2, :3].copy()
    else:
        scalar = 0.3 + 0j
    b = a + 1
    want = _steps(op, x, a, b, scalar).astype(np.float32) if case == "complex scalar" else _steps(op, x, a, b, scalar)
    if case == "complex scalar":
        with pytest.raises(TypeError):  # numpy refuses to write a complex result into x, as the callers expect
            _call(op, x, a, b, scalar)
        return
    _assert_same_bits(_call(op, x, a, b, scalar), want)
    assert threaded == []
