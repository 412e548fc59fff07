"""The ``torch.*`` autocast state functions, inside and outside ``autocast``, against PyTorch."""
import pytest

import numbatorch as nt
from tests.helpers import dtype_name

torch = pytest.importorskip("torch")

_DEVICES = ["cpu", "cuda", "xla", "ipu", "hpu", "mps"]


def _snapshot(lib):
    return ([lib.is_autocast_enabled(d) for d in _DEVICES] + [dtype_name(lib.get_autocast_dtype(d)) for d in _DEVICES]
            + [lib.is_autocast_enabled(), lib.is_autocast_cpu_enabled(), lib.is_autocast_ipu_enabled(),
               lib.is_autocast_xla_enabled(), lib.is_autocast_cache_enabled()]
            + [dtype_name(f()) for f in (lib.get_autocast_cpu_dtype, lib.get_autocast_gpu_dtype,
                                         lib.get_autocast_ipu_dtype, lib.get_autocast_xla_dtype)])


@pytest.mark.filterwarnings("ignore:torch.*is deprecated:DeprecationWarning")
def test_autocast_state_matches_pytorch():
    snapshots = {}
    for lib in (nt, torch):
        seen = [_snapshot(lib)]
        with lib.autocast("cpu"):
            seen.append(_snapshot(lib))
            with lib.autocast("cpu", dtype=lib.float16, cache_enabled=False):
                seen.append(_snapshot(lib))
            seen.append(_snapshot(lib))
        with lib.autocast("cpu", enabled=False):
            seen.append(_snapshot(lib))
        seen.append(_snapshot(lib))
        lib.set_autocast_cpu_enabled(True)
        lib.set_autocast_cpu_dtype(lib.float16)
        lib.set_autocast_enabled("xla", True)
        lib.set_autocast_cache_enabled(False)
        seen.append(_snapshot(lib))
        lib.set_autocast_cpu_enabled(False)
        lib.set_autocast_cpu_dtype(lib.bfloat16)
        lib.set_autocast_enabled("xla", False)
        lib.set_autocast_cache_enabled(True)
        seen.append(_snapshot(lib))
        seen.append([lib.autocast_increment_nesting(), lib.autocast_increment_nesting(),
                     lib.autocast_decrement_nesting(), lib.autocast_decrement_nesting()])
        snapshots[lib.__name__] = seen
    assert snapshots["numbatorch"] == snapshots["torch"]


def test_autocast_state_rejects_what_pytorch_rejects():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        nt.get_autocast_dtype("foo")
    with pytest.raises(TypeError, match="must be bool, not str"):
        nt.set_autocast_enabled("cpu")


@pytest.mark.parametrize("call", ["is_autocast_cpu_enabled()", "get_autocast_gpu_dtype()", "get_autocast_xla_dtype()",
                                  "set_autocast_ipu_enabled(False)", "set_autocast_cpu_dtype(lib.bfloat16)"])
def test_per_device_forms_warn_as_pytorch(call):
    messages = []
    for lib in (torch, nt):
        with pytest.warns(DeprecationWarning) as caught:
            eval(f"lib.{call}")
        messages.append(str(caught[0].message).split(" (Triggered")[0])
    assert messages[0] == messages[1]
