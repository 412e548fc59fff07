"""Remaining public names of ``torch`` and ``torch.Tensor`` from the API sweep (issue #12), against PyTorch:
the ``*_copy`` functions and other tensor functions and methods (runtime-level names: ``test_api_sweep_runtime``)."""
import re
import warnings

import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_X = np.random.default_rng(0).standard_normal((3, 4, 2))
COPY_FORMS = [
    ("alias_copy", ()), ("as_strided_copy", ((2, 3), (1, 2))), ("detach_copy", ()), ("diagonal_copy", (0, 0, 1)),
    ("expand_copy", ((2, 3, 4, 2),)), ("narrow_copy", (1, 1, 2)), ("permute_copy", ((2, 0, 1),)),
    ("select_copy", (1, 2)), ("slice_copy", (1, 1, None, 2)), ("split_copy", (2, 1)),
    ("split_with_sizes_copy", ([1, 3], 1)), ("squeeze_copy", ()), ("transpose_copy", (0, 2)),
    ("unbind_copy", (1,)), ("unfold_copy", (1, 2, 1)), ("unsqueeze_copy", (1,)), ("view_copy", ((4, 6),)),
]


@pytest.mark.parametrize("name, args", COPY_FORMS, ids=[n for n, _ in COPY_FORMS])
def test_copy_forms_match_pytorch_and_do_not_alias(name, args):
    # PyTorch's detach_copy result claims requires_grad with a grad_fn that cannot run; ours is detached.
    compare_with_torch(lambda lib, x: getattr(lib, name)(x, *args), _X, names=False, grad=name != "detach_copy")
    x = nt.tensor(_X)
    results = getattr(nt, name)(x, *args)
    for result in results if isinstance(results, tuple) else (results,):
        result.fill_(7.0)
    np.testing.assert_array_equal(x.numpy(), _X)


def test_t_copy_matches_pytorch():
    compare_with_torch(lambda lib, x: lib.t_copy(x), _X[:, :, 0], names=False)


def test_tensor_compatibility_attributes():
    x, tx = nt.tensor(_X), torch.tensor(_X)
    assert x.is_sparse_csr == tx.is_sparse_csr
    np.testing.assert_array_equal(x.to_sparse_coo().to_dense().numpy(), tx.to_sparse_coo().to_dense().numpy())
    assert x.const_data_ptr() == x.data_ptr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert x.volatile == tx.volatile
    assert [str(w.message) for w in caught[:1]] == [str(w.message) for w in caught[1:]]
    with pytest.raises(RuntimeError, match="reinforce\\(\\) was removed"):
        x.reinforce(1.0)


@pytest.mark.parametrize("size, fill_value", [(2, -1), (5, 9), (0, -1)])
def test_nonzero_static_matches_pytorch(size, fill_value):
    a = np.array([[1, 0, 2], [0, 0, 3]])
    for x in (a, a[0, 0]):
        expected = torch.nonzero_static(torch.tensor(x), size=size, fill_value=fill_value)
        for ours in (nt.nonzero_static(nt.tensor(x), size=size, fill_value=fill_value),
                     nt.tensor(x).nonzero_static(size=size, fill_value=fill_value)):
            assert ours.dtype == nt.int64 and tuple(ours.shape) == tuple(expected.shape)
            np.testing.assert_array_equal(ours.numpy(), expected.numpy())
    with pytest.raises(RuntimeError, match="'size' must be an non-negative integer"):
        nt.nonzero_static(nt.tensor(a), size=-1)


def test_torch_put_matches_pytorch():
    index = np.array([[0, 5], [11, 2]])
    compare_with_torch(lambda lib, x, s: lib.put(x, lib.tensor(index), s), _X[:, :, 0], _X[:2, :2, 1])
    compare_with_torch(lambda lib, x, s: lib.put(x, lib.tensor(index), s, accumulate=True), _X[:, :, 0],
                       _X[:2, :2, 1])


def test_as_strided_scatter_values_and_gradients():
    # PyTorch 2.13's own gradcheck fails for the input's gradient of as_strided_scatter (it flows to the replaced
    # elements); ours is compared with finite differences, the values and the src gradient with PyTorch.
    x, src = _X[:, :, 0], _X[:2, :2, 1]
    compare_with_torch(lambda lib, x, s: lib.as_strided_scatter(x.detach(), s, (2, 2), (4, 1), 1), x, src,
                       names=False)
    xs = nt.tensor(x, requires_grad=True)
    assert nt.autograd.gradcheck(lambda t: nt.as_strided_scatter(t, nt.tensor(src), (2, 2), (4, 1), 1), (xs,))
    with pytest.raises(RuntimeError, match="out of bounds"):
        nt.as_strided_scatter(nt.tensor(x), nt.tensor(src), (2, 2), (4, 1), 9)


@pytest.mark.parametrize("pow, dim", [(2, 0), (2, 1), (3, 2), (2, -1), (1, 0)])
def test_norm_except_dim_matches_pytorch(pow, dim):
    compare_with_torch(lambda lib, v: lib.norm_except_dim(v, pow, dim), _X + 0.1, names=False, tol=1e-10)
    compare_with_torch(lambda lib, v: lib.norm_except_dim(v, pow, 0), _X[:, 0, 0] + 0.1, names=False, tol=1e-10)


@pytest.mark.parametrize("size, layout", [((2, 3, 4), (0, 2, 1)), ((2, 3, 4, 5), (0, 2, 3, 1)), ((3,), (0,))])
def test_empty_permuted_lays_out_memory_as_pytorch(size, layout):
    ours, theirs = nt.empty_permuted(size, layout, dtype=nt.float64), torch.empty_permuted(size, layout,
                                                                                             dtype=torch.float64)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.stride() == theirs.stride()
    assert ours.dtype == nt.float64 and not ours.requires_grad


@pytest.mark.parametrize("layout", [(0, 0), (0,)])
def test_empty_permuted_rejects_what_pytorch_rejects(layout):
    with pytest.raises(RuntimeError) as expected:
        torch.empty_permuted((2, 3), layout)
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        nt.empty_permuted((2, 3), layout)


@pytest.mark.parametrize("mode, padding", [(0, 0), (1, 1), (0, 2)])
def test_grid_sampler_forms_match_pytorch(mode, padding):
    x, theta = _X.reshape(1, 2, 3, 4), np.array([[[0.83, 0.17, 0.07], [-0.29, 1.13, 0.04]]])
    compare_with_torch(lambda lib, x, th: lib.grid_sampler_2d(
        x, lib.affine_grid_generator(th, (1, 2, 5, 3), False), mode, padding, False), x, theta, names=False,
        tol=1e-10)
    compare_with_torch(lambda lib, x, th: lib.grid_sampler(
        x, lib.affine_grid_generator(th, (1, 2, 5, 3), True), mode, padding, True), x, theta, names=False, tol=1e-10)


def _low_rank(m, n, rank, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, rank)) @ rng.standard_normal((rank, n))


@pytest.mark.parametrize("shape", [(8, 6), (5, 9), (2, 7, 6)])
def test_svd_lowrank_recovers_a_low_rank_matrix_as_pytorch(shape):
    a = _low_rank(shape[-2], shape[-1], 3) if len(shape) == 2 else np.stack([_low_rank(7, 6, 3, s) for s in (1, 2)])
    U, S, V = nt.svd_lowrank(nt.tensor(a), q=3)
    tU, tS, tV = torch.svd_lowrank(torch.tensor(a), q=3)
    assert tuple(U.shape) == tuple(tU.shape) and tuple(V.shape) == tuple(tV.shape)
    np.testing.assert_allclose(S.numpy(), tS.numpy(), rtol=1e-10)
    np.testing.assert_allclose((U @ nt.diag_embed(S) @ V.mT).numpy(), a, atol=1e-10)
    np.testing.assert_allclose((U.mT @ U).numpy(), np.broadcast_to(np.eye(3), U.shape[:-2] + (3, 3)), atol=1e-12)


def test_pca_lowrank_matches_pytorch_and_checks_arguments():
    a = _low_rank(9, 5, 2) + 3.0
    _, S, _ = nt.pca_lowrank(nt.tensor(a), q=2)
    np.testing.assert_allclose(S.numpy(), torch.pca_lowrank(torch.tensor(a), q=2)[1].numpy(), rtol=1e-10)
    _, S, _ = nt.functional.pca_lowrank(nt.tensor(a), q=3, center=False)  # the offset adds a third direction
    np.testing.assert_allclose(S.numpy(), torch.pca_lowrank(torch.tensor(a), q=3, center=False)[1].numpy(),
                               rtol=1e-10)
    for kwargs in ({"q": 6}, {"q": -1}, {"niter": -1}):
        with pytest.raises(ValueError) as expected:
            torch.pca_lowrank(torch.tensor(a), **kwargs)
        with pytest.raises(ValueError, match=re.escape(str(expected.value))):
            nt.pca_lowrank(nt.tensor(a), **kwargs)


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (0.5, 1.0)])
def test_embedding_renorm_matches_pytorch(max_norm, norm_type):
    w = np.random.default_rng(3).standard_normal((6, 4)) * 2
    ours, theirs = nt.tensor(w), torch.tensor(w)
    result = nt.embedding_renorm_(ours, nt.tensor([0, 2, 2, 5]), max_norm, norm_type)
    torch.embedding_renorm_(theirs, torch.tensor([0, 2, 2, 5]), max_norm, norm_type)
    assert result is ours
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_map2_matches_pytorch():
    results = []
    for lib in (nt, torch):
        x = lib.tensor(_X[:, :, 0])
        out = x.map2_(lib.tensor(_X[0, :, 1]), lib.tensor(2.0, dtype=lib.float64), lambda a, b, c: a * c - b)
        assert out is x
        results.append(x.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("name", ["view_as_real_copy", "view_as_complex_copy"])
def test_complex_view_copies_match_pytorch(name):
    source = _X[:, :, :2]
    for lib in (nt, torch):
        x = lib.tensor(source)
        if name == "view_as_real_copy":
            x = lib.view_as_complex(x)
        result = getattr(lib, name)(x)
        values = lib.view_as_real(result) if name == "view_as_complex_copy" else result
        np.testing.assert_allclose(values.numpy(), source, rtol=0)
        assert str(result.dtype).split(".")[-1] == ("complex128" if name == "view_as_complex_copy" else "float64")


def test_cross_map_lrn2d_values_as_pytorch_and_exact_gradient():
    # PyTorch's legacy backward of CrossMapLRN2d fails its own gradcheck: ours is the exact derivative, checked
    # by finite differences; the values and the channel window (channel 0 always counted) are PyTorch's.
    x = np.random.default_rng(1).random((2, 7, 3, 4))
    for size in (1, 2, 3, 5, 6):
        layer, reference = nt.nn.CrossMapLRN2d(size, 1e-2, 0.75, 1), torch.nn.CrossMapLRN2d(size, 1e-2, 0.75, 1)
        np.testing.assert_allclose(layer(nt.tensor(x)).numpy(), reference(torch.tensor(x)).numpy(), rtol=1e-12)
        assert repr(layer) == repr(reference)
    assert nt.autograd.gradcheck(nt.nn.CrossMapLRN2d(3, 1e-2, 0.75, 1), (nt.tensor(x[:1], requires_grad=True),))
    with pytest.raises(ValueError, match="Expected input to be 4D, got 3D instead"):
        nt.nn.CrossMapLRN2d(3)(nt.tensor(x[0]))


def test_deprecated_resize_forms_warn_and_reshape_as_pytorch():
    results = []
    for lib in (nt, torch):
        x = lib.tensor(_X[:, :2, 0], requires_grad=True)
        with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
            y = x.resize(2, 3)
        with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
            z = x.resize_as(lib.zeros(6))
        (y.sum() * 2 + (z * z).sum()).backward()
        results.append([y.detach().numpy(), z.detach().numpy(), x.grad.numpy()])
        with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="requested resize to 4 \\(4 elements"):
            x.resize(4)
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_set_shares_the_source_as_pytorch():
    for lib in (nt, torch):
        a, b = lib.zeros(3), lib.arange(4.0).reshape(2, 2)
        assert a.set_(b) is a and a.data_ptr() == b.data_ptr() and tuple(a.shape) == (2, 2)
        b[0, 0] = 5.0
        assert a[0, 0].item() == 5.0
        assert tuple(a.set_().shape) == (0,)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            lib.zeros(2, requires_grad=True).set_(b)


@pytest.mark.parametrize("shape, perm", [((2, 3), (0, 1)), ((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)),
                                         ((2, 1, 3), (0, 1, 2)), ((1, 1), (0, 1))])
def test_dim_order_matches_pytorch(shape, perm):
    ours, theirs = nt.zeros(*shape).permute(*perm), torch.zeros(*shape).permute(*perm)
    assert ours.dim_order() == theirs.dim_order()
    try:
        expected = theirs.dim_order(ambiguity_check=True)
    except RuntimeError as error:
        with pytest.raises(RuntimeError, match=re.escape(str(error))):
            ours.dim_order(ambiguity_check=True)
    else:
        assert ours.dim_order(ambiguity_check=True) == expected


def test_as_subclass_keeps_data_and_gradient_as_pytorch():
    results = []
    for lib in (nt, torch):
        class Tagged(lib.Tensor):
            pass
        x = lib.tensor(_X[:, :, 0], requires_grad=True)
        y = (x * 2).as_subclass(Tagged)
        assert type(y) is Tagged and y.requires_grad and y.data_ptr() != 0
        (y * y).sum().backward()
        results.append([y.detach().numpy(), x.grad.numpy()])
        plain = lib.zeros(2).as_subclass(Tagged)
        assert type(plain) is Tagged and not plain.requires_grad
        with pytest.raises(TypeError, match="does not inherit from Tensor"):
            x.as_subclass(int)
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("assign", [False, True])
def test_module_load_matches_pytorch(assign):
    results = []
    for lib in (nt, torch):
        param, value = lib.nn.Parameter(lib.zeros(2, 3, dtype=lib.float64)), lib.tensor(_X[:2, :3, 0])
        with lib.no_grad():  # as load_state_dict calls it
            loaded = param.module_load(value, assign=assign)
        assert loaded is not param and loaded is not value and not loaded.requires_grad
        results.append([loaded.numpy(), param.detach().numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("source, kwargs", [(_X, {}), (_X, {"dim": 1}), (_X, {"dim": 0, "keepdim": True}),
                                            (_X.astype(np.float32), {"dim": (0, 2)}),
                                            (np.array([[-1, 7, 200]], dtype=np.int64), {}),
                                            (np.array([True, False, True]), {}), (np.array(2.5), {})])
def test_hash_tensor_matches_pytorch(source, kwargs):
    ours, theirs = nt.hash_tensor(nt.tensor(source), **kwargs), torch.hash_tensor(torch.tensor(source), **kwargs)
    assert ours.dtype == nt.uint64 and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(nt.tensor(source).hash_tensor(**kwargs).numpy(), theirs.numpy())


@pytest.mark.parametrize("source, kwargs", [(_X, {"mode": 1}), (np.zeros((0, 2)), {}), (np.zeros((0, 2)), {"dim": 0})])
def test_hash_tensor_errors_match_pytorch(source, kwargs):
    with pytest.raises((RuntimeError, IndexError)) as expected:
        torch.hash_tensor(torch.tensor(source), **kwargs)
    with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
        nt.hash_tensor(nt.tensor(source), **kwargs)


def test_post_accumulate_grad_hooks_as_pytorch():
    seen = {}
    for lib in (nt, torch):
        x, y = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        calls = seen[lib.__name__] = []
        handle = x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.clone().tolist()))
        (x * 3).sum().backward()
        (x * 2).sum().backward()
        lib.autograd.grad((x * y).sum(), y)  # no accumulation into x.grad: no call
        handle.remove()
        (x * 2).sum().backward()
        with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.ones(2).register_post_accumulate_grad_hook(lambda t: None)
    assert seen["numbatorch"] == seen["torch"] == [[3.0, 3.0], [5.0, 5.0]]


def test_as_strided_in_place_matches_pytorch():
    results = []
    for lib in (nt, torch):
        x = lib.arange(6.0)
        assert x.as_strided_((2, 2), (1, 2), 1) is x and x.stride() == (1, 2)
        a = lib.arange(6.0, requires_grad=True)
        b = a * 1
        lib.as_strided_(b, (2, 2), (1, 2), 1)
        (b * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        results.append([x.numpy(), b.detach().numpy(), a.grad.numpy()])
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            lib.arange(6.0, requires_grad=True).as_strided_((2,), (1,))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)
