"""Tensors on 'cuda' (a real device, or Numba's simulator): placement, copies between devices, conversions."""
import os

import numpy as np
import pytest

import numbatorch as torch


CUDA = torch.device("cuda", 0)


@pytest.mark.parametrize("spec", ["cuda", "cuda:0", torch.device("cuda"), torch.device("cuda", 0), 0])
def test_creation_places_on_the_requested_device(spec):
    for t in (torch.zeros(2, 3, device=spec), torch.ones(4, device=spec), torch.randn(2, device=spec),
              torch.arange(5, device=spec), torch.full((2,), 1.5, device=spec), torch.eye(3, device=spec),
              torch.tensor([1.0, 2.0], device=spec), torch.as_tensor(np.ones(3), device=spec),
              torch.linspace(0, 1, 5, device=spec), torch.randint(0, 5, (3,), device=spec),
              torch.randperm(4, device=spec), torch.empty(2, device=spec)):
        assert t.device == CUDA and t.is_cuda and not t.is_cpu and t.get_device() == 0


def test_created_values_equal_cpu():
    for name, args in (("zeros", (2, 3)), ("ones", (3,)), ("eye", (3,)), ("arange", (1, 7, 2))):
        fn = getattr(torch, name)
        assert torch.equal(fn(*args, device="cuda").cpu(), fn(*args))
    assert torch.equal(torch.tensor([[1, 2], [3, 4]], device="cuda").cpu(), torch.tensor([[1, 2], [3, 4]]))


def test_like_and_new_factories_keep_the_source_device():
    x = torch.randn(2, 3, device="cuda")
    for t in (torch.zeros_like(x), torch.ones_like(x), torch.empty_like(x), torch.full_like(x, 2.0),
              torch.rand_like(x), torch.randn_like(x), x.new_zeros(4), x.new_ones(2), x.new_full((2,), 3.0),
              x.new_tensor([1.0]), torch.tensor(x)):
        assert t.device == CUDA
    assert torch.zeros_like(x, device="cpu").device == torch.device("cpu")
    assert torch.zeros(2).new_zeros(3, device="cuda").device == CUDA


def test_to_cuda_cpu_round_trip_copies():
    a = torch.randn(3, 4)
    d = a.cuda()
    assert d.device == CUDA and torch.equal(d.cpu(), a)
    for moved in (a.to("cuda"), a.to(CUDA), a.to(0), a.to(device="cuda:0"), a.to(d), a.cuda(0)):
        assert moved.device == CUDA and torch.equal(moved.cpu(), a)
    d.add_(1.0)  # a copy: the source is untouched
    assert torch.equal(d.cpu(), a + 1.0)
    assert d.to("cuda") is d and d.cuda() is d and a.cpu() is a
    assert d.to("cuda", copy=True) is not d
    both = a.to("cuda", torch.float64)
    assert both.device == CUDA and both.dtype == torch.float64
    assert d.to(torch.float16).device == CUDA
    assert a.to(d.double()).dtype == torch.float64 and a.to(d.double()).device == CUDA


def test_copy_to_another_device_is_differentiable():
    torch_ = pytest.importorskip("torch")
    a = torch.randn(3, 2, requires_grad=True)
    d = a.to("cuda")
    assert d.grad_fn.name() == torch_.randn(1, requires_grad=True).to(torch_.float64).grad_fn.name()
    (d * d).sum().backward()
    assert a.grad.device == torch.device("cpu")
    assert torch.allclose(a.grad, 2 * a.detach())
    leaf = torch.randn(4, device="cuda", requires_grad=True)
    (leaf.cpu() * 3).sum().backward()
    assert leaf.grad.device == CUDA and torch.equal(leaf.grad.cpu(), torch.full((4,), 3.0))


def test_numpy_of_a_cuda_tensor_raises_like_torch():
    d = torch.ones(2, device="cuda")
    with pytest.raises(TypeError, match=r"^can't convert cuda:0 device type tensor to numpy\. Use Tensor\.cpu\(\) to "
                                        r"copy the tensor to host memory first\.$"):
        d.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        np.asarray(d)
    assert np.array_equal(d.numpy(force=True), np.ones(2, np.float32))


def test_python_conversions_and_repr():
    a = torch.tensor([[1.5, -2.0], [0.25, 3.0]])
    d = a.cuda()
    assert d.tolist() == a.tolist() and d[1, 0].item() == a[1, 0].item() and float(d[0, 0]) == 1.5
    assert repr(d) == repr(a)[:-1] + ", device='cuda:0')"
    r = torch.ones(2, device="cuda", requires_grad=True)
    assert repr(r) == "tensor([1., 1.], device='cuda:0', requires_grad=True)"


def test_pin_memory_is_accepted_on_cpu_tensors():
    a = torch.ones(3)
    assert a.pin_memory() is a and not a.is_pinned()


def test_invalid_device_index_raises():
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.zeros(1, device=f"cuda:{torch.cuda.device_count()}")


def test_copy_between_devices_keeps_each_tensor_on_its_device():
    src = torch.randn(2, 3, requires_grad=True)
    dst = torch.zeros(2, 3, device="cuda")
    dst.copy_(src)
    assert dst.is_cuda and torch.equal(dst.cpu(), src.detach())
    (dst * 2).sum().backward()
    assert src.grad.device == torch.device("cpu") and torch.equal(src.grad, torch.full((2, 3), 2.0))
    host = torch.zeros(3)
    host.copy_(torch.arange(3.0, device="cuda"))
    assert host.device == torch.device("cpu") and torch.equal(host, torch.arange(3.0))


def test_legacy_type_name_names_the_device():
    torch_ = pytest.importorskip("torch")
    for dtype in (torch.float32, torch.int64):
        cpu_name = torch.ones(1, dtype=dtype).type()
        assert cpu_name == torch_.ones(1, dtype=getattr(torch_, str(dtype).split(".")[1])).type()
        assert torch.ones(1, dtype=dtype, device="cuda").type() == cpu_name.replace("torch.", "torch.cuda.")


def test_device_selection_and_memory_queries():
    with pytest.raises(AssertionError, match="Invalid device id"):
        torch.cuda.set_device(torch.cuda.device_count())
    torch.cuda.set_device("cuda:0")
    with torch.cuda.device(0):
        assert torch.cuda.current_device() == 0
    before = torch.cuda.memory_allocated()
    block = torch.empty(1 << 20, device="cuda")
    grown = torch.cuda.memory_allocated() - before
    # the simulator's 'cuda' tensors are host memory: no device pool to count
    assert grown == 0 if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" else grown >= block.nbytes
    assert torch.cuda.memory_reserved() >= torch.cuda.memory_allocated()
    del block
    torch.cuda.empty_cache()


@pytest.mark.parametrize("draw", [
    lambda p: torch.bernoulli(p), lambda p: torch.poisson(p * 3), lambda p: torch.multinomial(p, 2),
    lambda p: torch.normal(p, 1.0), lambda p: torch.rand_like(p), lambda p: torch.empty_like(p).normal_(),
])
def test_random_draws_on_cuda_equal_cpu_draws_of_the_same_seed(draw):
    probs = torch.rand(3, 4)
    torch.manual_seed(5)
    host = draw(probs)
    torch.manual_seed(5)
    dev = draw(probs.cuda())
    assert dev.device == torch.device("cuda", 0) and torch.equal(dev.cpu(), host)


@pytest.mark.parametrize("dropout", [
    lambda x: torch.nn.functional.dropout(x, 0.4), lambda x: torch.nn.functional.dropout2d(x, 0.4),
    lambda x: torch.nn.functional.alpha_dropout(x, 0.4, training=True),
    lambda x: torch.nn.functional.feature_alpha_dropout(x, 0.4, training=True),
    lambda x: torch.nn.functional.scaled_dot_product_attention(x, x, x, dropout_p=0.4),
])
def test_dropout_masks_equal_cpu_ones_of_the_same_seed(dropout):
    x = torch.rand(2, 3, 4, 4)
    torch.manual_seed(5)
    host = dropout(x)
    torch.manual_seed(5)
    dev = dropout(x.cuda())
    assert dev.device == torch.device("cuda", 0) and torch.allclose(dev.cpu(), host)


def test_set_default_device_places_factory_results():
    torch.set_default_device("cuda")
    try:
        assert torch.get_default_device() == CUDA
        assert torch.zeros(2).device == CUDA and torch.randn(3).device == CUDA and torch.tensor([1.0]).device == CUDA
        assert torch.nn.Linear(2, 3).weight.device == CUDA
        assert torch.zeros(2, device="cpu").device == torch.device("cpu")
    finally:
        torch.set_default_device(None)
    assert torch.get_default_device() == torch.device("cpu") and torch.zeros(1).device == torch.device("cpu")
