"""The spin pool (``backends/cpu/_spin_pool.py``): every job gives numpy's bits for every part split and operand
pattern, through the tensor ops as well; the helpers survive concurrent callers, a fork, one thread and naps."""
import ctypes
import multiprocessing
import threading

import numba
import numpy as np
import pytest

import numbatorch
from numbatorch.backends.cpu import (_arithmetic_kernels as arithmetic, _inplace_kernels as inplace, _parallel,
                                     _spin_jobs, _spin_pool, pointwise)

pytestmark = pytest.mark.skipif(not _spin_pool.available(), reason="the spin pool needs POSIX semaphores (Linux)")

DTYPES = [np.float32, np.float64]
# Sizes around the part boundaries (16-element lines): fewer elements than parts, ragged tails, a large array.
SIZES = [1, 15, 33, 1000, 65537]


@pytest.fixture
def pool(monkeypatch):
    """The pool, with every job compiled and every op large enough to use it, the helpers woken for each."""
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    monkeypatch.setattr(_spin_pool, "spare_core", lambda: True)
    monkeypatch.setattr(_spin_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(_spin_pool, "WAKE_BYTES", 0)
    if numba.get_num_threads() < 2:
        pytest.skip("one Numba thread: no helper takes a part")
    return _spin_pool.pool()


def _values(dtype, size, seed):
    """Random values led by the IEEE specials (and a subnormal) that must keep numpy's bits."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(size).astype(dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, 3.0], dtype)[:size]
    x[:specials.size] = specials
    return x


def _same_bits(got, expected):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got.view(np.uint8), expected.view(np.uint8))


def _run(pool, job, out, first, second, scalar=0.0):
    assert job.ready(0)  # compiled at once (PARALLEL_AFTER_SECONDS is 0)
    _spin_pool.run(pool, job, out, first, second, scalar, moved=_spin_pool.WAKE_BYTES)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply, np.true_divide])
def test_binary_jobs_every_operand_pattern(pool, ufunc, size, dtype):
    job = arithmetic._JOBS[ufunc]
    x, y = _values(dtype, size, 1), _values(dtype, size, 2)[::-1].copy()
    s = float(dtype(0.3))
    with np.errstate(all="ignore"):
        _same_bits(_run(pool, job, np.empty_like(x), x, y), ufunc(x, y))
        out = x.copy()
        _same_bits(_run(pool, job, out, out, y), ufunc(x, y))  # out is x (in place)
        out = y.copy()
        _same_bits(_run(pool, job, out, x, out), ufunc(x, y))  # out is y
        _same_bits(_run(pool, job, np.empty_like(x), x, None, s), ufunc(x, dtype(s)))
        _same_bits(_run(pool, job, np.empty_like(x), None, x, s), ufunc(dtype(s), x))
        out = x.copy()
        _same_bits(_run(pool, job, out, out, None, s), ufunc(x, dtype(s)))
        out = x.copy()
        _same_bits(_run(pool, job, out, out, out), ufunc(x, x))  # x op= x


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
def test_in_place_jobs_match_their_numpy_steps(pool, size, dtype):
    x, a, b = _values(dtype, size, 3), _values(dtype, size, 4), np.abs(_values(dtype, size, 5))
    value = float(dtype(-0.7))
    with np.errstate(all="ignore"):
        for ufunc in (np.add, np.subtract):
            got = _run(pool, inplace._JOBS[inplace._SCALED[ufunc]], x.copy(), a, None, value)
            expected = x.copy()
            inplace._scaled_steps(ufunc)(expected, a, dtype(value))
            _same_bits(got, expected)
        for twin, steps in ((inplace._ADDCMUL, inplace._addcmul_steps), (inplace._ADDCDIV, inplace._addcdiv_steps)):
            got = _run(pool, inplace._JOBS[twin], x.copy(), a, b, value)
            expected = x.copy()
            steps(expected, a, b, dtype(value))
            _same_bits(got, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
def test_map_jobs_match_their_kernels(pool, size, dtype):
    x, g = _values(dtype, size, 6), _values(dtype, size, 7)
    for kernel in (pointwise._sqrt, pointwise._relu, pointwise._tanh32):
        expected = np.empty_like(x)
        kernel.serial(x, expected)
        _same_bits(_run(pool, pointwise._JOBS[kernel], np.empty_like(x), x, None), expected)
    expected = x.copy()
    pointwise._relu_inplace.serial(dtype(1), expected)
    _same_bits(_run(pool, pointwise._JOBS[pointwise._relu_inplace], x.copy(), None, None, 1.0), expected)
    for kernel in (pointwise._relu_backward, pointwise._tanh_backward, pointwise._sigmoid_backward):
        expected = np.empty_like(x)
        kernel.serial(g, x, dtype(1), expected)
        _same_bits(_run(pool, pointwise._JOBS[kernel], np.empty_like(x), g, x, 1.0), expected)


def test_helpers_take_parts(pool):
    """The parts run on the helpers, not only on the caller: each helper's row records the last range it ran."""
    x = np.ones(1 << 16, np.float32)
    _run(pool, arithmetic._JOBS[np.add], x, x, x)
    helpers = min(pool.helpers, numba.get_num_threads() - 1)
    rows = [pool.block[h * _spin_pool._ROW:(h + 1) * _spin_pool._ROW] for h in range(1, helpers + 1)]
    assert rows[-1][_spin_pool.STOP] == x.size and all(row[_spin_pool.START] > 0 for row in rows)
    assert np.array_equal(x, np.full_like(x, 2))


def test_tensor_ops_through_the_pool_match_pytorch_semantics(pool):
    rng = np.random.default_rng(8)
    p0, g0, m0 = (rng.standard_normal((257, 129)).astype(np.float32) for _ in range(3))
    v0 = np.abs(m0)
    p, g, m, v = (numbatorch.tensor(a.copy()) for a in (p0, g0, m0, v0))
    with numbatorch.no_grad():
        m.mul_(0.9).add_(g, alpha=0.1)
        v.mul_(0.999).addcmul_(g, g, value=0.001)
        p.addcdiv_(m, v.sqrt().add_(1e-8), value=-1e-3)
        p.sub_(g).div_(2.0)
    m_ref = m0 * np.float32(0.9) + g0 * np.float32(0.1)
    v_ref = v0 * np.float32(0.999) + np.float32(0.001) * (g0 * g0)
    p_ref = (p0 + np.float32(-1e-3) * (m_ref / (np.sqrt(v_ref) + np.float32(1e-8))) - g0) / np.float32(2)
    for got, expected in ((m, m_ref), (v, v_ref), (p, p_ref)):
        _same_bits(got.numpy(), expected)
    x = numbatorch.tensor(p0, requires_grad=True)
    y = numbatorch.tanh(x)
    (numbatorch.relu(y) * y).backward(numbatorch.tensor(g0))
    y0 = y.detach().numpy()  # the gradients through the pool, not tanh's own last bit
    relu_grad = np.where(y0 <= 0, np.float32(0), g0 * y0)
    expected = (relu_grad + np.maximum(y0, 0) * g0) * (np.float32(1) - y0 * y0)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_concurrent_callers_each_get_their_result(pool):
    """Two Python threads hand out parts at once: one takes the helpers, the other runs alone; both right."""
    job = arithmetic._JOBS[np.multiply]
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(200):
            x = rng.standard_normal(5000).astype(np.float32)
            out = _run(pool, job, np.empty_like(x), x, None, 3.0)
            if not np.array_equal(out, x * np.float32(3)):
                errors.append(seed)
    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads) and not errors


def test_one_thread_runs_on_the_caller(pool):
    x = np.arange(1000, dtype=np.float64)
    row = pool.block[_spin_pool._ROW:2 * _spin_pool._ROW]
    row[_spin_pool.START] = row[_spin_pool.STOP] = -1
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        _run(pool, arithmetic._JOBS[np.add], x, x, None, 1.0)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(x, np.arange(1, 1001, dtype=np.float64))
    assert row[_spin_pool.START] == -1  # no part was handed out


def test_nap_sends_helpers_to_sleep_and_a_large_op_wakes_them(pool, monkeypatch):
    x = np.ones(4096, np.float32)
    job = arithmetic._JOBS[np.add]
    _run(pool, job, x, x, None, 1.0)
    _spin_pool._awake = True  # as after any run
    _spin_pool.nap()
    state = pool.block[_spin_pool._ROW + _spin_pool.STATE]
    assert state == _spin_pool.ASLEEP and not _spin_pool.spinning()
    monkeypatch.setattr(_spin_pool, "WAKE_BYTES", 1 << 40)
    assert _spin_pool.ready(job, 1 << 20) is None  # too small to wake them: the caller's own path
    _spin_pool.run(pool, job, x, x, None, 1.0, moved=1 << 20)  # run anyway: the caller does every part
    assert pool.block[_spin_pool._ROW + _spin_pool.STATE] == _spin_pool.ASLEEP
    row = pool.block[_spin_pool._ROW:2 * _spin_pool._ROW]
    row[_spin_pool.START] = -1
    _spin_pool.run(pool, job, x, x, None, 1.0, moved=1 << 41)  # large enough: the sleeping helper takes its part
    assert np.array_equal(x, np.full_like(x, 4))
    assert row[_spin_pool.START] > 0 and row[_spin_pool.STATE] in (_spin_pool.IDLE, _spin_pool.ASLEEP)


def test_a_part_no_helper_takes_is_taken_back_by_the_caller(pool, monkeypatch):
    """A helper that does not start its part (here: asleep and never woken, as one whose core another thread holds)
    does not hold the op up: the caller runs the part itself, and the helper spins again once woken."""
    x = np.ones(1 << 16, np.float32)
    job = arithmetic._JOBS[np.add]
    _spin_pool._awake = True
    _spin_pool.nap()
    row = pool.block[_spin_pool._ROW:2 * _spin_pool._ROW]
    assert row[_spin_pool.STATE] == _spin_pool.ASLEEP
    post = pool.block[_spin_pool.SEM_POST]
    pool.block[_spin_pool.SEM_POST] = pool.block[_spin_pool.THREADS]  # a call that ignores the semaphore: no wake
    try:
        _spin_pool.run(pool, job, x, x, None, 1.0, moved=1 << 41)  # hands the sleeping helper its part
    finally:
        pool.block[_spin_pool.SEM_POST] = post
    assert np.array_equal(x, np.full_like(x, 2))
    assert row[_spin_pool.STATE] == _spin_pool.IDLE  # taken back, not left handed out
    libc = _spin_pool._load_libc()
    for h in range(1, pool.helpers + 1):  # the helpers wake, find no job and spin
        libc.sem_post(ctypes.c_void_p(pool._semaphore_address(h)))
    _spin_pool.run(pool, job, x, x, None, 1.0, moved=1 << 41)
    assert np.array_equal(x, np.full_like(x, 3))


def _child_op(queue):
    x = np.ones(1 << 16, np.float32)
    current = _spin_pool.pool()
    _spin_pool.run(current, arithmetic._JOBS[np.add], x, x, None, 2.0, moved=1 << 30)
    queue.put(float(x.sum()))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_forked_child_gets_a_pool_of_its_own(pool):
    x = np.ones(1 << 16, np.float32)
    _run(pool, arithmetic._JOBS[np.add], x, x, None, 1.0)  # the parent's helpers are running
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_op, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the parent's helpers")
    assert child.exitcode == 0 and queue.get(timeout=5) == 3.0 * x.size


def test_an_uncached_job_compiles_only_after_its_budget(monkeypatch, tmp_path):
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 1.0)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    job = _spin_jobs.Job(arithmetic._add_job)
    _spin_jobs.ALL.remove(job)
    assert not job.ready(1 << 20) and job.address is None
    assert job.ready(_spin_jobs.COMPILE_AFTER_BYTES) and job.address is not None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["NN", "TN", "NT"])
def test_products_on_the_pool_give_the_serial_bits(pool, dtype, layout):
    """A product's blocks of rows and a pair of products as pool jobs: the bits of the same BLAS calls in turn."""
    from numbatorch.backends.cpu import _split_gemm, blas
    if not _split_gemm._provider_gemms():
        pytest.skip("no CBLAS gemm found")
    rng = np.random.default_rng(9)
    a = rng.standard_normal((300, 257)).astype(dtype)
    b = rng.standard_normal((257, 190)).astype(dtype)
    a = np.asfortranarray(a) if layout[0] == "T" else a
    b = np.asfortranarray(b) if layout[1] == "T" else b
    with blas.single_threaded():
        gemm = _split_gemm._gemm_for(a, b)
        left, right = _split_gemm._row_major(a), _split_gemm._row_major(b)
        for parts in (2, 3):
            expected = np.empty((300, 190), dtype)
            for p in range(parts):  # the blocks' own BLAS calls, one after the other
                start, stop = _split_gemm.block_rows(300, parts, p)
                _split_gemm._rows_here(gemm, *left, *right, expected, start, stop)
            got = np.empty_like(expected)
            assert _split_gemm._on_spin_pool(gemm, parts, (*left, *right, got))
            _same_bits(got, expected)
        got = _split_gemm.pair(a, b, b.T, a.T, True)
        expected = (np.empty((300, 190), dtype), np.empty((190, 300), dtype))
        _split_gemm._in_turn(gemm, *left, *right, expected[0], *_split_gemm._row_major(b.T),
                             *_split_gemm._row_major(a.T), expected[1])
        for g, e in zip(got, expected):
            _same_bits(g, e)
