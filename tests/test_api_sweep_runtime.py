"""Runtime-level public names of ``torch`` from the API sweep (issue #12), against PyTorch: deterministic-debug
and warning switches, device modules, exception classes, ``sym_*`` scalars, ``cond``/``while_loop``, removed
functions, ``torch.compiler``/``functional``/``types`` and ``TorchVersion``."""
import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_X = np.random.default_rng(0).standard_normal((3, 4, 2))


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
    assert nt.thread_safe_generator() is torch.thread_safe_generator() is None


@pytest.mark.parametrize("name", ["OutOfMemoryError", "AcceleratorError", "FatalError"])
def test_exception_classes_have_pytorchs_bases(name):
    assert [c.__name__ for c in getattr(nt, name).__mro__] == [c.__name__ for c in getattr(torch, name).__mro__]


@pytest.mark.parametrize("call", ["sym_int(3.7)", "sym_int(-3.7)", "sym_int(True)", "sym_float(3)", "sym_max(2, 5.0)",
                                  "sym_min(2, 5.0)", "sym_max(7, 5.0)", "sym_min(2, 5)", "sym_not(1)", "sym_sqrt(9)",
                                  "sym_ite(False, 1, 2)", "sym_sum([1, 2.5, 3])"])
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


def test_compiler_functional_and_types_modules():
    assert nt.compiler.is_compiling() == torch.compiler.is_compiling()
    assert nt.compiler.is_dynamo_compiling() == torch.compiler.is_dynamo_compiling()
    assert nt.compiler.list_backends() == torch.compiler.list_backends()

    def fn(x):
        return x + 1
    assert nt.compiler.disable(fn) is fn and nt.compiler.disable()(fn) is fn
    doubled = nt.compiler.wrap_numpy(lambda a: a * 2)(nt.tensor([1.0, 2.0]))
    assert isinstance(doubled, nt.Tensor) and doubled.tolist() == [2.0, 4.0]
    assert set(nt.functional.__all__) <= set(torch.functional.__all__)
    assert all(getattr(nt.functional, n) is getattr(nt, n) for n in nt.functional.__all__)
    assert {n for n in nt.types.__all__} <= set(dir(torch.types))


@pytest.mark.parametrize("version, other", [("2.13.0", (2, 1)), ("2.13.0", "2.13"), ("2.13.0", "2.14"),
                                            ("1.9.1", (1, 10)), ("2.13.0+cpu", "2.13.0"), ("0.1.0", (0, 1, 0))])
def test_torch_version_compares_as_pytorch(version, other):
    ours, theirs = nt.torch_version.TorchVersion(version), torch.torch_version.TorchVersion(version)
    for op in ("__lt__", "__le__", "__eq__", "__ge__", "__gt__"):
        assert getattr(ours, op)(other) == getattr(theirs, op)(other), op
    assert isinstance(ours, str) and str(ours) == version
    with pytest.raises(TypeError):
        ours > 1.5


@pytest.mark.parametrize("version, other", [("2.1.0a0", "2.1.0"), ("2.1.0rc1", (2, 0)), ("2.1.0.dev20240101", "2.1")])
def test_torch_version_orders_pre_releases_as_pytorch(version, other):
    ours, theirs = nt.torch_version.TorchVersion(version), torch.torch_version.TorchVersion(version)
    assert [ours < other, ours == other, ours > other] == [theirs < other, theirs == other, theirs > other]
