"""The BLAS thread policy: products equal numpy's, and BLAS's thread count follows the size class and holds."""
import os
import sys
import threading

import numpy as np
import pytest

from numbatorch.backends.cpu import _spare_core, blas

from .blas_providers import PROVIDERS, use

threadpoolctl = pytest.importorskip("threadpoolctl")

SMALL = 1 << 12  # the threshold the tests run under, so "large" products stay cheap
SIDE = 16  # SIDE**3 multiply-adds: the smallest cube products run threaded at


def _counts():
    """Thread count of every loaded BLAS, by library path."""
    return {info["filepath"]: info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas"}


@pytest.fixture
def threaded_blas(monkeypatch):
    """BLAS at two threads, the policy's state fresh and its threshold SMALL; all put back afterwards.
    Yields the counts set."""
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        for name, value in (("_libs", None), ("_kernel_blas_seen", False), ("_one", False), ("_holds", 0),
                            ("SMALL_GEMM", SMALL), ("SPLIT_GEMM", SMALL)):
            monkeypatch.setattr(blas, name, value)
        monkeypatch.setattr(blas.numba, "get_num_threads", lambda: 2)  # as on 2 cores, whatever the count here
        yield _counts()


def _small(rng):
    return rng.standard_normal((7, 5)), rng.standard_normal((5, 3))  # 105 multiply-adds


def _large(rng):
    return rng.standard_normal((SIDE, SIDE)), rng.standard_normal((SIDE, SIDE))


@pytest.mark.parametrize("shape_a, shape_b", [
    ((7, 5), (5, 3)), ((SIDE, SIDE), (SIDE, SIDE)), ((4, 7, 5), (5, 3)), ((2, 1, 7, 5), (3, 5, 2)),
    ((5,), (5, 3)), ((7, 5), (5,)), ((5,), (5,)), ((0, 5), (5, 3)), ((3, SIDE, SIDE), (3, SIDE, SIDE)),
    ((3, 64, 64), (64, 64)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_matmul_equals_numpy(shape_a, shape_b, dtype, provider, threaded_blas, monkeypatch):
    use(monkeypatch, provider)
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shape_a) * 4).astype(dtype)
    b = (rng.standard_normal(shape_b) * 4).astype(dtype)
    expected = np.matmul(a, b)
    got = blas.matmul(a, b)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("transposed", [False, True])
def test_outer_products_give_numpys_bits(dtype, transposed):
    # k = 1 runs as x * w + 0 per element: a -0 product gives +0 as in BLAS, inf * 0 gives nan
    rng = np.random.default_rng(3)
    column = np.concatenate([[-0.0, 0.0, np.inf, -np.inf, np.nan, 1e-3], rng.standard_normal(91)])
    row = np.concatenate([[0.0, -0.0, 2.0, -np.inf, 1e3], rng.standard_normal(199)])
    a, b = column.astype(dtype)[:, None], row.astype(dtype)[None, :]
    if transposed:  # strided views: a column of a wider matrix, a row of a transposed one
        a, b = np.repeat(a, 2, axis=1)[:, :1], np.ascontiguousarray(np.repeat(b, 2, axis=0).T).T[:1]
    with np.errstate(invalid="ignore"):
        expected, got = np.matmul(a, b), blas.matmul(a, b)
        mixed = blas.matmul(a.astype(np.float32), b.astype(np.float64))
    assert got.dtype == expected.dtype and got.shape == expected.shape == (97, 204)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))
    assert mixed.dtype == np.float64


@pytest.mark.parametrize("provider", PROVIDERS)
def test_matmul_errors_as_numpy(provider, threaded_blas, monkeypatch):
    use(monkeypatch, provider)
    a, b = np.ones((3, 4)), np.ones((5, 2))
    with pytest.raises(ValueError) as expected:
        np.matmul(a, b)
    with pytest.raises(ValueError) as got:
        blas.matmul(a, b)
    assert str(got.value) == str(expected.value)
    with pytest.raises(ValueError):
        blas.matmul(np.float64(2.0), b)
    blas.matmul(*_large(np.random.default_rng(1)))
    assert _counts() == threaded_blas


def test_size_class_sets_and_restores_counts(threaded_blas):
    rng = np.random.default_rng(2)
    blas.matmul(*_small(rng))
    assert set(_counts().values()) == {1}
    blas.matmul(*_small(rng))
    assert set(_counts().values()) == {1}
    blas.matmul(*_large(rng))
    assert _counts() == threaded_blas
    blas.prepare_gemm(7, 5, 3)
    assert set(_counts().values()) == {1}
    blas.prepare_gemm(SIDE, SIDE, SIDE)
    assert _counts() == threaded_blas


def test_hold_nests_and_survives_exceptions(threaded_blas):
    rng = np.random.default_rng(3)
    with pytest.raises(RuntimeError, match="inside"):
        with blas.single_threaded():
            with blas.single_threaded():
                blas.matmul(*_large(rng))  # a large product inside a hold stays on one thread
                assert set(_counts().values()) == {1}
            assert set(_counts().values()) == {1}
            raise RuntimeError("inside")
    assert _counts() == threaded_blas and blas._holds == 0
    with blas.single_threaded():
        blas.matmul(*_small(rng))
    assert set(_counts().values()) == {1}  # the last product was small: BLAS stays on one thread
    blas.matmul(*_large(rng))
    assert _counts() == threaded_blas


def test_several_threads(threaded_blas):
    """Threads mixing small and large products, holds and exceptions leave the counts consistent."""
    errors = []
    start = threading.Barrier(4)

    def work(seed):
        rng = np.random.default_rng(seed)
        try:
            start.wait()
            for i in range(6):
                small, large = _small(rng), _large(rng)
                np.testing.assert_allclose(blas.matmul(*small), np.matmul(*small), rtol=1e-12)
                try:
                    with blas.single_threaded():
                        assert set(_counts().values()) == {1}
                        np.testing.assert_allclose(blas.matmul(*large), np.matmul(*large), rtol=1e-12)
                        if i % 2:
                            raise KeyError(i)
                except KeyError:
                    pass
        except Exception as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert blas._holds == 0
    blas.matmul(*_large(np.random.default_rng(4)))
    assert _counts() == threaded_blas


def test_library_loaded_later_joins_the_current_class(monkeypatch):
    """SciPy's BLAS (Numba's np.dot) appears after the first product: found then, set like the others."""
    counts = {"numpy": 2, "kernel": 3}

    def library(name):
        return blas._Library(name, lambda: counts[name], lambda n: counts.__setitem__(name, n))
    loaded = [library("numpy")]
    monkeypatch.setattr(blas, "_find_libraries", lambda: list(loaded))
    monkeypatch.setattr(blas, "_KERNEL_BLAS_MODULE", "numbatorch_tests_fake_kernel_blas")
    for name, value in (("_libs", None), ("_kernel_blas_seen", False), ("_one", False), ("_holds", 0)):
        monkeypatch.setattr(blas, name, value)
    monkeypatch.setattr(blas.numba, "get_num_threads", lambda: 2)
    blas.prepare_gemm(2, 2, 2)
    assert counts == {"numpy": 1, "kernel": 3}
    loaded.append(library("kernel"))
    monkeypatch.setitem(sys.modules, "numbatorch_tests_fake_kernel_blas", object())
    blas.prepare_gemm(2, 2, 2)  # same size class: only the newly loaded library changes
    assert counts == {"numpy": 1, "kernel": 1}
    blas.prepare_gemm(blas.SMALL_GEMM, 1, 1)
    assert counts == {"numpy": 2, "kernel": 3}


@pytest.mark.parametrize("spare", [True, False])
def test_products_under_the_threshold_never_use_blas_threads(spare, threaded_blas, monkeypatch):
    """Wide ones included, spare core or not: OpenBLAS's threads round differently from one thread, so a result
    would depend on the load (mid-sized 2-D ones use Numba's threads instead, test_cpu_split_gemm.py)."""
    monkeypatch.setattr(blas, "SMALL_GEMM", (2 * SIDE) ** 3)
    for name, value in (("SPLIT_GEMM", SIDE ** 3), ("THIN_SIDE", SIDE), ("SPLIT_ROWS", SIDE // 2)):
        monkeypatch.setattr(blas, name, value)  # SIDE^3 products split into row blocks
    monkeypatch.setattr(blas, "spare_core", lambda: spare)
    rng = np.random.default_rng(5)
    blas.matmul(*_small(rng))
    assert set(_counts().values()) == {1}
    blas.matmul(*_large(rng))  # every side SIDE, under SMALL_GEMM
    assert set(_counts().values()) == {1}
    blas.prepare_gemm(2 * SIDE, 2 * SIDE, 2 * SIDE)
    assert _counts() == threaded_blas


def test_one_numba_thread_keeps_every_product_on_one_thread(threaded_blas, monkeypatch):
    """numbatorch.set_num_threads(1) means one thread for products too, as PyTorch's set_num_threads does."""
    monkeypatch.setattr(blas, "spare_core", lambda: True)
    monkeypatch.setattr(blas.numba, "get_num_threads", lambda: 1)
    rng = np.random.default_rng(6)
    blas.matmul(*_large(rng))
    assert set(_counts().values()) == {1}
    blas.prepare_gemm(blas.SMALL_GEMM, 1, 1)
    assert set(_counts().values()) == {1}
    monkeypatch.setattr(blas.numba, "get_num_threads", lambda: 2)
    blas.matmul(*_large(rng))
    assert _counts() == threaded_blas


@pytest.fixture
def fake_machine(monkeypatch):
    """_spare_core reading a fake clock, machine and process; ``advance(seconds, own_cores, other_cores)`` moves
    them on, calling ``spare_core()`` every ``step`` seconds (as a loop of products does; ``step=None``: no call),
    and returns the last answer."""
    clock = {"now": 100.0, "busy": 50.0, "own": 10.0}
    for name, value in (("_last", None), ("_last_call", None), ("_answered", None), ("_spare", False)):
        monkeypatch.setattr(_spare_core, name, value)
    monkeypatch.setattr(_spare_core.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(_spare_core, "_machine_busy_seconds", lambda: clock["busy"])
    monkeypatch.setattr(_spare_core.os, "times", lambda: os.times_result((clock["own"], 0.0, 0.0, 0.0, 0.0)))

    def advance(seconds, own_cores, other_cores, step=_spare_core.IDLE_SECONDS / 2):
        answer = None
        for _ in range(max(1, round(seconds / (step or seconds)))):
            clock["now"] += step or seconds
            clock["own"] += own_cores * (step or seconds)
            clock["busy"] += (own_cores + other_cores) * (step or seconds)
            answer = _spare_core.spare_core() if step else None
        return answer
    return advance


def test_spare_core_counts_only_other_processes(fake_machine):
    """Busy time this process spent itself is no neighbour; another process's is."""
    advance = fake_machine
    assert not _spare_core.spare_core()  # nothing measured yet
    assert advance(1.0, own_cores=2.0, other_cores=0.0)
    assert not advance(1.0, own_cores=1.0, other_cores=1.0)
    assert advance(1.0, own_cores=0.0, other_cores=0.2)
    assert advance(1.0, own_cores=1.0, other_cores=0.3)
    assert not advance(1.0, own_cores=1.0, other_cores=0.8)
    # within one window the answer stays, whatever happens meanwhile
    assert not advance(_spare_core.SAMPLE_SECONDS / 4, own_cores=1.0, other_cores=0.0)


def test_spare_core_after_a_pause_keeps_its_answer(fake_machine):
    """Another process busy only while this one made no calls (run.py --separate's other worker) is no
    neighbour: a pause starts a new window, the answer staying the last window's meanwhile."""
    advance = fake_machine
    assert advance(1.0, own_cores=2.0, other_cores=0.0)
    for _ in range(3):
        advance(0.2, own_cores=0.0, other_cores=2.0, step=None)  # the other worker's batch, no calls here
        assert advance(0.2, own_cores=2.0, other_cores=0.0)
    assert not advance(1.0, own_cores=1.0, other_cores=1.0)  # a neighbour busy beside this process's calls
    advance(0.2, own_cores=0.0, other_cores=0.0, step=None)
    assert not advance(_spare_core.SAMPLE_SECONDS / 2, own_cores=2.0, other_cores=0.0)  # the last answer ...
    assert advance(1.0, own_cores=2.0, other_cores=0.0)  # ... until a window without it ends
    for _ in range(2 * round(_spare_core.ANSWER_SECONDS / 0.2)):  # bursts too short for a window, pauses between
        advance(0.2, own_cores=0.0, other_cores=2.0, step=None)
        answer = advance(_spare_core.SAMPLE_SECONDS / 2, own_cores=1.0, other_cores=1.0)
    assert not answer  # the answer expired: as beside a neighbour
