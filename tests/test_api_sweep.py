"""Remaining public names of ``torch`` and ``torch.Tensor`` from the API sweep (issue #12), against PyTorch:
the ``*_copy`` functions, runtime switches, ``sym_*`` scalars, ``cond``/``while_loop``, removed functions."""
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


@pytest.mark.parametrize("mode", [0, 1, 2, "default", "warn", "error"])
def test_deterministic_debug_mode_round_trips_as_pytorch(mode):
    before = torch.get_deterministic_debug_mode(), nt.get_deterministic_debug_mode()
    try:
        torch.set_deterministic_debug_mode(mode)
        nt.set_deterministic_debug_mode(mode)
        assert nt.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        assert nt.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
        assert (nt.is_deterministic_algorithms_warn_only_enabled()
                == torch.is_deterministic_algorithms_warn_only_enabled())
    finally:
        torch.set_deterministic_debug_mode(before[0])
        nt.set_deterministic_debug_mode(before[1])


@pytest.mark.parametrize("mode", [3, "loud"])
def test_deterministic_debug_mode_rejects_what_pytorch_rejects(mode):
    with pytest.raises(RuntimeError) as expected:
        torch.set_deterministic_debug_mode(mode)
    with pytest.raises(RuntimeError, match=str(expected.value).replace("`", ".")):
        nt.set_deterministic_debug_mode(mode)


def test_runtime_switches_and_device_modules():
    before = nt.is_warn_always_enabled()
    nt.set_warn_always(True)
    assert nt.is_warn_always_enabled() is True
    nt.set_warn_always(before)
    assert nt.is_warn_always_enabled() == torch.is_warn_always_enabled()
    nt.set_anomaly_enabled(True, check_nan=False)
    assert nt.is_anomaly_enabled() and not nt.is_anomaly_check_nan_enabled()
    nt.set_anomaly_enabled(False)
    assert not nt.is_anomaly_enabled()
    assert nt.get_device_module("cpu") is nt.cpu and nt.get_device_module(nt.device("cuda")) is nt.cuda
    assert nt.cpu.is_available() == torch.cpu.is_available() and nt.cpu.device_count() == torch.cpu.device_count()
    with pytest.raises(RuntimeError, match="Invalid value of device"):
        nt.get_device_module(3)
    assert nt.is_distributed(nt.zeros(1)) == torch.is_distributed(torch.zeros(1))
    assert nt.is_vulkan_available() == torch.is_vulkan_available()
    assert nt.version.cuda is None and nt.version.__version__ == nt.__version__
    assert nt.legacy_contiguous_format == nt.contiguous_format


@pytest.mark.parametrize("name", ["OutOfMemoryError", "AcceleratorError", "FatalError"])
def test_exception_classes_have_pytorchs_bases(name):
    assert [c.__name__ for c in getattr(nt, name).__mro__] == [c.__name__ for c in getattr(torch, name).__mro__]


@pytest.mark.parametrize("call", ["sym_int(3.7)", "sym_int(-3.7)", "sym_int(True)", "sym_float(3)", "sym_max(2, 5.0)",
                                  "sym_min(2, 5.0)", "sym_max(7, 5.0)", "sym_min(2, 5)", "sym_not(1)", "sym_sqrt(9)", "sym_ite(False, 1, 2)",
                                  "sym_sum([1, 2.5, 3])"])
def test_sym_scalars_match_pytorch(call):
    ours, theirs = eval(f"nt.{call}"), eval(f"torch.{call}")
    assert ours == theirs and type(ours) is type(theirs)


def test_cond_takes_the_branch_and_its_gradient():
    def program(lib, x):
        return lib.cond(x.sum() > 0, lambda a: (a * 2).sin(), lambda a: a.cos(), (x,))
    compare_with_torch(program, _X, names=False)
    compare_with_torch(program, -np.abs(_X), names=False)
    with pytest.raises(RuntimeError, match="Expected pred to be bool or single-element tensor"):
        nt.cond(nt.ones(2) > 0, lambda a: a, lambda a: a, (nt.ones(2),))


def test_while_loop_iterates_as_pytorch():
    def program(lib, x):
        return lib.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 1.5), (lib.tensor(0), x))[1]
    compare_with_torch(program, _X, names=False)


@pytest.mark.parametrize("name", ["solve", "lstsq", "eig", "symeig", "matrix_rank"])
def test_removed_functions_raise_runtime_error_as_pytorch(name):
    with pytest.raises(RuntimeError, match="deprecated since version 1.9 and is now removed"):
        getattr(torch, name)(torch.eye(2), torch.eye(2))
    with pytest.raises(RuntimeError, match="deprecated since version 1.9 and is now removed"):
        getattr(nt, name)(nt.eye(2), nt.eye(2))
    if name != "matrix_rank":
        with pytest.raises(RuntimeError, match="deprecated since version 1.9 and is now removed"):
            getattr(nt.eye(2), name)(nt.eye(2))


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
