"""Mid-sized products on Numba's threads (``_split_gemm``): float32 blocks of rows give the whole products' bits
where the machine's BLAS kernels allow it (``float32_blocks_match``), blocks side by side and in turn always give the
same bits, and pairs of products give the products' own bits, in every layout, block count and build; ``blas.matmul``
and ``blas.matmul_pair`` split only what they should and still equal numpy."""
import numpy as np
import pytest

from numbatorch.backends.cpu import _parallel, _split_gemm, blas

from .blas_providers import PROVIDERS, use

pytestmark = pytest.mark.skipif(_split_gemm.matmul(np.ones((1, 1), np.float32), np.ones((1, 1), np.float32), 1,
                                                   False) is None, reason="numpy's BLAS has no CBLAS sgemm")


@pytest.fixture(autouse=True, params=PROVIDERS)
def provider(request, monkeypatch):
    """Every test on each BLAS provider installed (numpy's OpenBLAS, Intel MKL)."""
    use(monkeypatch, request.param)
    return request.param


def _whole(a, b):
    """``a @ b`` as one single-threaded call of the provider's BLAS (2-D), else numpy's: the bits to give."""
    with blas.single_threaded():  # OpenBLAS's own threads round differently
        whole = _split_gemm.matmul(a, b, 1, False) if a.ndim == b.ndim == 2 else None
        return np.matmul(a, b) if whole is None else whole


def _blocks_match(a, b):
    """Whether float32 blocks of rows of ``a @ b`` give the whole product's bits with this provider here."""
    return a.dtype == np.float32 and _split_gemm.float32_blocks_match(_split_gemm._gemm_for(a, b))


def _assert_product(got, a, b):
    """``got`` is ``a @ b`` (2-D float32, perhaps split into blocks of rows): the whole product's bits where blocks
    give them on this machine, else within float32 rounding of its sums."""
    if _blocks_match(a, b):
        assert np.array_equal(got, _whole(a, b))
    else:
        np.testing.assert_allclose(got, _whole(a, b), rtol=1e-5, atol=1e-4)


@pytest.fixture
def parallel_build(monkeypatch):
    """The blocks' parallel build from the first call (not after a second of serial runs)."""
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)


def _operand(rng, rows, cols, transposed):
    """A float32 (rows, cols) operand, C-ordered or the transpose of a C-ordered array."""
    if transposed:
        return rng.standard_normal((cols, rows)).astype(np.float32).T
    return rng.standard_normal((rows, cols)).astype(np.float32)


@pytest.mark.parametrize("m, k, n", [(256, 256, 256), (300, 257, 259), (257, 300, 256), (700, 256, 300),
                                     (1024, 256, 260)])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
def test_float32_blocks_give_the_whole_products_bits_where_the_blas_allows(m, k, n, trans_a, trans_b,
                                                                           parallel_build):
    rng = np.random.default_rng(m + k + n)
    a, b = _operand(rng, m, k, trans_a), _operand(rng, k, n, trans_b)
    expected = _whole(a, b)
    with blas.single_threaded():
        for parts in range(2, m // blas.SPLIT_ROWS + 1):  # the counts blas asks for: blocks of ~128 rows
            side_by_side, in_turn = (_split_gemm.matmul(a, b, parts, flag) for flag in (True, False))
            assert side_by_side.shape == expected.shape and side_by_side.dtype == np.float32
            assert np.array_equal(side_by_side, in_turn), parts  # never dependent on a spare core
            _assert_product(side_by_side, a, b)


def test_the_float32_check_answers_for_the_products_blas_splits(provider, parallel_build):
    """``float32_blocks_match`` says True exactly where 2 blocks of products it did not check give the whole
    products' bits too (checked once per provider, kept on its gemm)."""
    rng = np.random.default_rng(15)
    gemm = _split_gemm._gemm_for(np.ones((1, 1), np.float32))
    answer = _split_gemm.float32_blocks_match(gemm)
    assert gemm.float32_blocks_match is answer
    found = True
    for m, k, n in ((700, 256, 300), (1024, 256, 260), (257, 300, 256)):
        for trans_a in (False, True):
            a, b = _operand(rng, m, k, trans_a), _operand(rng, k, n, not trans_a)
            with blas.single_threaded():  # real blocks: side by side, or in turn where those are not run whole
                found = found and np.array_equal(_split_gemm.matmul(a, b, 2, answer), _whole(a, b))
    assert found == answer


@pytest.mark.parametrize("m, k, n, trans_a, trans_b", [(300, 257, 259, False, True), (700, 256, 300, True, False),
                                                       (400, 300, 256, True, True)])
def test_float64_blocks_side_by_side_or_in_turn_give_the_same_bits(m, k, n, trans_a, trans_b, parallel_build):
    rng = np.random.default_rng(m)
    a, b = _operand(rng, m, k, trans_a).astype(np.float64), _operand(rng, k, n, trans_b).astype(np.float64)
    with blas.single_threaded():
        for parts in range(2, m // blas.SPLIT_ROWS + 1):
            side_by_side, in_turn = (_split_gemm.matmul(a, b, parts, flag) for flag in (True, False))
            assert np.array_equal(side_by_side, in_turn), parts
            np.testing.assert_allclose(side_by_side, _whole(a, b), rtol=1e-12, atol=1e-12)


def test_block_rows_cover_the_rows_once_on_aligned_boundaries():
    for m in (1, 63, 64, 129, 256, 300, 1000):
        for parts in (1, 2, 3, 7):
            bounds = [_split_gemm.block_rows(m, parts, p) for p in range(parts)]
            assert bounds[0][0] == 0 and bounds[-1][1] == m
            assert all(stop == start for (_, stop), (start, _) in zip(bounds, bounds[1:]))
            assert all(start % _split_gemm.ROW_ALIGN == 0 or start == m for start, _ in bounds)


@pytest.mark.parametrize("a, b", [
    (np.ones((256, 256), np.float16), np.ones((256, 256), np.float16)),  # no BLAS for it
    (np.ones((256, 256), np.float32), np.ones((256, 256), np.float64)),  # mixed dtypes: numpy promotes
    (np.ones((256, 512), np.float32)[:, ::2], np.ones((256, 256), np.float32)),  # neither C- nor F-ordered
    (np.ones((256, 256), np.float32), np.ones((255, 256), np.float32)),  # shapes that do not match
])
def test_what_is_not_split(a, b):
    assert _split_gemm.matmul(a, b, 2, True) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans", [(False, False, True, False), (False, True, True, True), (True, False, False, True)])
def test_pairs_give_each_products_bits(dtype, trans, parallel_build):
    rng = np.random.default_rng(8)
    shapes = ((300, 257), (257, 259), (256, 300), (300, 260))
    a1, b1, a2, b2 = (_operand(rng, *shape, t).astype(dtype) for shape, t in zip(shapes, trans))
    expected = _whole(a1, b1), _whole(a2, b2)
    with blas.single_threaded():
        for side_by_side in (True, False):
            got = _split_gemm.pair(a1, b1, a2, b2, side_by_side)
            assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
            assert got[0].dtype == got[1].dtype == dtype


def test_what_is_not_paired():
    a, b = np.ones((256, 256), np.float32), np.ones((256, 256), np.float64)
    assert _split_gemm.pair(a, a, b, b, True) is None  # two dtypes
    assert _split_gemm.pair(a, a, a, np.ones((255, 256), np.float32), True) is None  # shapes that do not match
    assert _split_gemm.pair(a, np.ones((256, 512), np.float32)[:, ::2], a, a, True) is None  # a strided operand


@pytest.fixture
def splitting(monkeypatch, parallel_build):
    """blas.matmul and matmul_pair splitting as beside an idle core, on two threads whatever the count here;
    yields the list of ("blocks" or "pair", whether it applied) per call."""
    monkeypatch.setattr(blas, "spare_core", lambda: True)
    monkeypatch.setattr(blas.numba, "get_num_threads", lambda: 2)
    calls = []

    def counted(name, split):
        def run(*args):
            out = split(*args)
            if name == "pair" or args[2] > 1:  # one block: a whole product on MKL, not a split
                calls.append((name, out is not None))
            return out
        return run
    monkeypatch.setattr(_split_gemm, "matmul", counted("blocks", _split_gemm.matmul))
    monkeypatch.setattr(_split_gemm, "pair", counted("pair", _split_gemm.pair))
    return calls


@pytest.mark.parametrize("shape_a, shape_b, dtype, split", [
    ((256, 256), (256, 256), np.float32, True),
    ((300, 257), (257, 259), np.float32, True),
    ((255, 256), (256, 256), np.float32, False),  # under 2 * SPLIT_ROWS rows
    ((1600, 64), (64, 192), np.float32, True),  # thin: MultiheadAttention's projections
    ((1600, 64), (64, 192), np.float64, True),
    ((1600, 63), (63, 192), np.float32, False),  # a side under THIN_SIDE
    ((1000, 64), (64, 64), np.float32, False),  # under SPLIT_GEMM multiply-adds
    ((256, 300), (300, 256), np.float64, True),
    ((3, 256, 256), (256, 256), np.float32, False),  # batched products go to numpy as before
    ((256,), (256, 256), np.float32, False),
])
def test_blas_matmul_splits_mid_sized_float32_products(shape_a, shape_b, dtype, split, splitting):
    rng = np.random.default_rng(5)
    a = rng.standard_normal(shape_a).astype(dtype)
    b = rng.standard_normal(shape_b).astype(dtype)
    got = blas.matmul(a, b)
    with blas.single_threaded():  # float32 sums of ~256 terms near 20 in another order: ~1e-5 apart
        np.testing.assert_allclose(got, np.matmul(a, b), rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=1e-4 if dtype == np.float32 else 1e-12)
    assert splitting == ([("blocks", True)] if split else [])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blas_matmul_bits_do_not_depend_on_a_spare_core(dtype, splitting, monkeypatch):
    rng = np.random.default_rng(10)
    a, b = rng.standard_normal((300, 257)).astype(dtype), rng.standard_normal((257, 259)).astype(dtype)
    beside_a_spare_core = blas.matmul(a, b)
    monkeypatch.setattr(blas, "spare_core", lambda: False)
    assert np.array_equal(blas.matmul(a, b), beside_a_spare_core)


def test_blas_matmul_keeps_numpys_errors_and_transposed_operands(splitting):
    rng = np.random.default_rng(6)
    a = rng.standard_normal((256, 300)).astype(np.float32)
    b = rng.standard_normal((256, 300)).astype(np.float32)
    _assert_product(blas.matmul(a.T, b), a.T, b)
    _assert_product(blas.matmul(a, b.T), a, b.T)
    with pytest.raises(ValueError) as expected:
        np.matmul(a, b)
    with pytest.raises(ValueError) as got:
        blas.matmul(a, b)
    assert str(got.value) == str(expected.value)


def test_no_split_under_deterministic_algorithms_or_a_hold(splitting):
    import numbatorch
    a = np.ones((256, 256), np.float32)
    try:
        numbatorch.use_deterministic_algorithms(True)
        blas.matmul(a, a)
    finally:
        numbatorch.use_deterministic_algorithms(False)
    with blas.single_threaded():
        blas.matmul(a, a)
    assert splitting == []


@pytest.mark.parametrize("shapes, paired", [
    (((256, 300), (300, 256), (300, 256), (256, 256)), True),
    (((256, 300), (300, 256), (300, 255), (255, 256)), True),
    (((1600, 192), (192, 64), (192, 1600), (1600, 64)), True),  # a linear layer's gradients
    (((256, 300), (300, 256), (300, 63), (63, 256)), False),  # a side under THIN_SIDE
    (((256, 300), (300, 256), (150, 150), (150, 150)), False),  # under SPLIT_GEMM multiply-adds
    (((2, 256, 300), (300, 256), (300, 256), (256, 256)), False),  # batched
])
def test_blas_matmul_pair_pairs_mid_sized_products(shapes, paired, splitting):
    rng = np.random.default_rng(9)
    a1, b1, a2, b2 = (rng.standard_normal(shape).astype(np.float32) for shape in shapes)
    got = blas.matmul_pair(a1, b1, a2, b2)
    if paired:  # each product one whole BLAS call
        assert np.array_equal(got[0], _whole(a1, b1)) and np.array_equal(got[1], _whole(a2, b2))
    else:  # each product through blas.matmul, perhaps in blocks
        _assert_product(got[0], a1, b1)
        _assert_product(got[1], a2, b2)
    assert (("pair", True) in splitting) == paired


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pair_bits_do_not_depend_on_a_spare_core_or_the_thread_count(dtype, splitting, monkeypatch):
    rng = np.random.default_rng(11)
    a1, b1, a2, b2 = (rng.standard_normal(shape).astype(dtype) for shape in ((300, 257), (257, 259), (256, 300),
                                                                             (300, 260)))
    beside_a_spare_core = blas.matmul_pair(a1, b1, a2, b2)
    monkeypatch.setattr(blas, "spare_core", lambda: False)
    in_turn = blas.matmul_pair(a1, b1, a2, b2)
    monkeypatch.setattr(blas.numba, "get_num_threads", lambda: 1)
    one_thread = blas.matmul_pair(a1, b1, a2, b2)
    for got in (in_turn, one_thread):
        assert all(np.array_equal(x, y) for x, y in zip(got, beside_a_spare_core))
    assert [name for name, _ in splitting] == ["pair", "pair"]  # at one thread: blas.matmul, one BLAS call each


def test_matmul_gradients_match_pytorch(splitting):
    """Split products forward, pairs of gradient products backward (grad @ b.T beside a.T @ grad), against
    PyTorch."""
    torch = pytest.importorskip("torch")
    import numbatorch
    rng = np.random.default_rng(7)
    x, w1, w2, g = (rng.standard_normal(shape).astype(np.float32) / 16
                    for shape in ((320, 256), (256, 288), (288, 256), (320, 256)))
    results = []
    for lib in (numbatorch, torch):
        xs, w1s, w2s = (lib.tensor(v, requires_grad=True) for v in (x, w1, w2))
        lib.tanh(xs @ w1s).matmul(w2s).backward(lib.tensor(g))
        results.append([t.grad.numpy() for t in (xs, w1s, w2s)])
    assert splitting == [("blocks", True)] * 2 + [("pair", True)] * 2
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def _at_offset(x, offset):
    """A C-ordered copy of x starting ``offset`` elements into a fresh buffer (another alignment)."""
    buffer = np.empty(x.size + offset, x.dtype)
    copy = buffer[offset:].reshape(x.shape)
    copy[...] = x
    return copy


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bits_do_not_depend_on_the_operands_alignment(dtype, splitting):
    rng = np.random.default_rng(12)
    for m, k, n in ((97, 51, 204), (300, 257, 259)):
        a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
        expected = blas.matmul(a, b)
        for offset in (1, 3):
            assert np.array_equal(blas.matmul(_at_offset(a, offset), _at_offset(b, offset)), expected), offset


def test_products_from_small_gemm_on_split_on_mkl_only(provider, splitting, monkeypatch):
    monkeypatch.setattr(blas, "SMALL_GEMM", 256 ** 3)
    rng = np.random.default_rng(13)
    a, b = rng.standard_normal((300, 257)).astype(np.float32), rng.standard_normal((257, 259)).astype(np.float32)
    got = blas.matmul(a, b)
    if provider == "mkl":  # MKL's float32 blocks give the whole product's bits
        assert np.array_equal(got, _whole(a, b)) and splitting == [("blocks", True)]
    else:  # OpenBLAS's own threads run it
        np.testing.assert_allclose(got, _whole(a, b), rtol=1e-5, atol=1e-5)
        assert splitting == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_whole_gives_the_one_block_bits_in_every_layout(dtype, provider):
    if provider != "mkl":
        pytest.skip("the whole-product shortcut is MKL's")
    rng = np.random.default_rng(14)
    for trans_a in (False, True):
        for trans_b in (False, True):
            a = _operand(rng, 97, 51, trans_a).astype(dtype)
            b = _operand(rng, 51, 204, trans_b).astype(dtype)
            got = _split_gemm.whole(a, b)
            assert got.dtype == dtype and np.array_equal(got, _whole(a, b))
    assert _split_gemm.whole(a, b.astype(np.float16)) is None
    assert _split_gemm.whole(a, np.ones((50, 3), dtype)) is None
