"""Top-level modules and idioms programs use at their top, against PyTorch's behaviour."""
import warnings

import numpy as np
import pytest

import numbatorch
import numbatorch.nn as nn


def test_flags_and_availability_match_cpu_pytorch():
    torch = pytest.importorskip("torch")
    for ours, theirs in [(numbatorch, torch)]:
        assert ours.backends.mps.is_available() == theirs.backends.mps.is_available()
        assert ours.backends.cudnn.version() is None
        assert ours.accelerator.is_available() == theirs.accelerator.is_available()
        assert ours.accelerator.current_accelerator() == theirs.accelerator.current_accelerator()
    for name in ("is_cpu", "is_xpu", "is_mps", "is_meta", "is_quantized", "is_nested", "is_mkldnn"):
        assert getattr(numbatorch.zeros(1), name) == getattr(torch.zeros(1), name), name
    with numbatorch.backends.cudnn.flags(enabled=False, deterministic=True):
        assert numbatorch.backends.cudnn.deterministic and not numbatorch.backends.cudnn.enabled
    assert numbatorch.backends.cudnn.enabled and not numbatorch.backends.cudnn.deterministic
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
        numbatorch.accelerator.current_device_index()


def test_runtime_settings_round_trip():
    torch = pytest.importorskip("torch")
    threads = numbatorch.get_num_threads()
    try:
        numbatorch.set_num_threads(1)
        assert numbatorch.get_num_threads() == 1
    finally:
        numbatorch.set_num_threads(threads)
    for lib in (numbatorch, torch):
        with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
            lib.set_num_threads(0)
    numbatorch.set_float32_matmul_precision("high")
    assert numbatorch.get_float32_matmul_precision() == "high"
    with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
        numbatorch.set_float32_matmul_precision("fast")
    numbatorch.set_float32_matmul_precision("highest")
    numbatorch.use_deterministic_algorithms(True, warn_only=True)
    assert numbatorch.are_deterministic_algorithms_enabled()
    assert numbatorch.is_deterministic_algorithms_warn_only_enabled()
    numbatorch.use_deterministic_algorithms(False)
    assert not numbatorch.are_deterministic_algorithms_enabled()
    model = nn.Linear(2, 2)
    assert numbatorch.compile(model) is model and numbatorch.compile()(len) is len
    assert numbatorch.jit.script(model) is model and numbatorch.jit.trace(model, numbatorch.zeros(1, 2)) is model
    assert numbatorch.jit.ignore(len) is len and numbatorch.jit.ignore(drop=True)(len) is len
    assert not numbatorch.jit.is_scripting()
    with pytest.raises(NotImplementedError, match="torch.onnx.export"):
        numbatorch.onnx.export(model, (numbatorch.zeros(1, 2),), "model.onnx")


def test_fork_rng_restores_the_generator():
    numbatorch.manual_seed(3)
    expected = numbatorch.rand(3)
    numbatorch.manual_seed(3)
    with numbatorch.random.fork_rng():
        numbatorch.rand(5)
    np.testing.assert_array_equal(numbatorch.rand(3).numpy(), expected.numpy())


def _scaled_training(lib, grads):
    param = lib.nn.Parameter(lib.ones(2))
    optimizer = lib.optim.SGD([param], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    history = []
    for grad in grads:
        optimizer.zero_grad()
        scaler.scale((param * lib.tensor(grad, dtype=lib.float32)).sum()).backward()
        scaler.step(optimizer)
        scaler.update()
        history.append((scaler.get_scale(), param.detach().numpy().copy()))
    return history, scaler.state_dict()


def test_grad_scaler_matches_pytorch():
    torch = pytest.importorskip("torch")
    grads = [[1.0, 2.0], [1.0, 1.0], [np.inf, 1.0], [0.5, 0.5], [1.0, 0.0], [1.0, 1.0]]
    ours, our_state = _scaled_training(numbatorch, grads)
    theirs, their_state = _scaled_training(torch, grads)
    for (our_scale, our_param), (their_scale, their_param) in zip(ours, theirs):
        assert our_scale == their_scale
        np.testing.assert_allclose(our_param, their_param, rtol=1e-6)
    assert our_state == their_state


def test_cuda_autocast_and_scaler_disable_themselves_without_cuda():
    if numbatorch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with numbatorch.autocast("cuda") as region:
            pass
        scaler = numbatorch.amp.GradScaler()
    assert not region._enabled and not scaler.is_enabled() and scaler.get_scale() == 1.0
    assert any("Disabling" in str(w.message) for w in caught)
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        numbatorch.autocast(0)
