"""Kernels loaded from Numba's disk cache run without Numba's compiler registries and without compiling Numba's
runtime; a compile still loads the registries."""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUT = np.linspace(-30, 30, 257)

# sigmoid through its Numba kernel in each dtype of argv; after each, whether Numba's registries are loaded
_PROGRAM = """
import json, sys
import numpy as np
import numbatorch
from numbatorch.backends.cpu import _cache_loads
out = {}
for dtype in sys.argv[1:]:
    y = numbatorch.sigmoid(numbatorch.from_numpy(np.linspace(-30, 30, 257).astype(dtype)))
    out[dtype] = dict(y=y.numpy().tolist(), registries="numba.np.arraymath" in sys.modules)
out["runtime_loaded"] = _cache_loads.runtime_loaded_from is not None
print(json.dumps(out))
"""


def _run(cache_dir, *dtypes):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", _PROGRAM, *dtypes], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cached_kernel_loads_without_registries_and_a_compile_loads_them(tmp_path):
    torch = pytest.importorskip("torch")
    compiled = _run(tmp_path, "float32")  # compiles the float32 build and the runtime into the empty cache
    assert compiled["float32"]["registries"] and not compiled["runtime_loaded"]
    loaded = _run(tmp_path, "float32", "float64")  # float32 loads from the cache, float64 compiles
    assert not loaded["float32"]["registries"] and loaded["runtime_loaded"]
    assert loaded["float64"]["registries"]
    assert loaded["float32"]["y"] == compiled["float32"]["y"]
    for dtype in ("float32", "float64"):
        expected = torch.sigmoid(torch.from_numpy(INPUT.astype(dtype))).numpy()
        np.testing.assert_allclose(np.array(loaded[dtype]["y"], dtype), expected, rtol=1e-6, atol=0)


def test_damaged_runtime_cache_file_is_compiled_again(tmp_path):
    first = _run(tmp_path, "float64")
    [runtime_file] = glob.glob(str(tmp_path / "**" / "nrt-*.nbo"), recursive=True)
    with open(runtime_file, "r+b") as f:
        f.truncate(100)
    again = _run(tmp_path, "float64")
    assert not again["runtime_loaded"] and again["float64"]["y"] == first["float64"]["y"]
    assert _run(tmp_path, "float64")["runtime_loaded"]  # written whole again


def _record_loads(monkeypatch, fail_when_narrowed):
    """Stand in for Numba's load_overload: records whether each call saw a narrowed refresh."""
    from numbatorch.backends.cpu import _cache_loads
    seen = []

    def load_overload(cache, signature, target_context):
        narrowed = "refresh" in vars(target_context)
        seen.append(narrowed)
        if narrowed and fail_when_narrowed:
            raise KeyError("a registry the narrowed refresh did not load")
        return cache, signature

    monkeypatch.setattr(_cache_loads, "_load_overload", load_overload)
    return seen


@pytest.mark.parametrize("fail_when_narrowed", [False, True])
def test_a_cpu_load_is_narrowed_and_one_that_raises_is_done_again_by_numba(monkeypatch, fail_when_narrowed):
    from numba.core.registry import cpu_target
    from numbatorch.backends.cpu._cache_loads import _load_overload_with_runtime_only
    seen = _record_loads(monkeypatch, fail_when_narrowed)
    context = cpu_target.target_context
    assert _load_overload_with_runtime_only("cache", "sig", context) == ("cache", "sig")
    assert seen == ([True, False] if fail_when_narrowed else [True])
    assert "refresh" not in vars(context)


def test_other_targets_load_as_numba_does(monkeypatch):
    from numbatorch.backends.cpu._cache_loads import _load_overload_with_runtime_only

    class OtherTarget:
        def refresh(self):
            pass

    seen = _record_loads(monkeypatch, fail_when_narrowed=True)
    assert _load_overload_with_runtime_only("cache", "sig", OtherTarget()) == ("cache", "sig")
    assert seen == [False]


@pytest.mark.parametrize("changed", [None, "load_overload", "compile_nrt_functions"])
def test_numba_functions_are_replaced_only_in_the_shape_this_module_knows(monkeypatch, changed):
    import importlib.util
    from numba.core import caching
    from numba.core.runtime import nrtdynmod
    from numbatorch.backends.cpu import _cache_loads

    def other_shape(*args, **kwargs):
        pass

    targets = {"load_overload": (caching.Cache, "load_overload", _cache_loads._load_overload),
               "compile_nrt_functions": (nrtdynmod, "compile_nrt_functions", _cache_loads._compile_nrt_functions)}
    for name, (owner, attribute, numbas) in targets.items():
        monkeypatch.setattr(owner, attribute, other_shape if name == changed else numbas)
    spec = importlib.util.spec_from_file_location("cache_loads_again", _cache_loads.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    replaced = {name: getattr(owner, attribute) for name, (owner, attribute, _) in targets.items()}
    if changed is None:
        assert replaced == {"load_overload": module._load_overload_with_runtime_only,
                            "compile_nrt_functions": module._compile_runtime_once}
    else:
        assert replaced == {name: other_shape if name == changed else numbas
                            for name, (_, _, numbas) in targets.items()}


def test_importing_the_module_again_keeps_numbas_functions_as_the_fallback(monkeypatch):
    import importlib.util
    from numba.core import caching
    from numba.core.runtime import nrtdynmod
    from numbatorch.backends.cpu import _cache_loads
    monkeypatch.setattr(caching.Cache, "load_overload", caching.Cache.load_overload)  # restored should it fail
    monkeypatch.setattr(nrtdynmod, "compile_nrt_functions", nrtdynmod.compile_nrt_functions)
    spec = importlib.util.spec_from_file_location("cache_loads_again", _cache_loads.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # Numba's functions are already replaced: the new module must not wrap ours
    assert caching.Cache.load_overload is _cache_loads._load_overload_with_runtime_only
    assert nrtdynmod.compile_nrt_functions is _cache_loads._compile_runtime_once


def test_runtime_cache_file_is_keyed_by_the_host_cpu_and_its_features():
    from numba.core.registry import cpu_target
    from numba.core.runtime import nrtdynmod
    from numbatorch.backends.cpu._cache_loads import _runtime_cache_file

    class Codegen:
        def __init__(self, magic):
            self.magic = magic

        def magic_tuple(self):
            return self.magic

    context = cpu_target.target_context
    ir_module, _ = nrtdynmod.create_nrt_module(context)
    triple, cpu, features = context.codegen().magic_tuple()
    own = _runtime_cache_file(ir_module, context.codegen())
    assert own is not None and own == _runtime_cache_file(ir_module, Codegen((triple, cpu, features)))
    others = [(triple + "x", cpu, features), (triple, cpu + "x", features), (triple, cpu, features + ",+x")]
    assert own not in {_runtime_cache_file(ir_module, Codegen(magic)) for magic in others}
    assert _runtime_cache_file(ir_module, object()) is None  # a codegen this module does not know: no cache


def test_a_failed_runtime_write_leaves_no_file(tmp_path):
    from numbatorch.backends.cpu._cache_loads import _save_runtime

    class Library:
        def serialize_using_object_code(self):
            raise OSError("No space left on device")

    _save_runtime(Library(), str(tmp_path / "nrt-0.nbo"))
    assert os.listdir(tmp_path) == []
