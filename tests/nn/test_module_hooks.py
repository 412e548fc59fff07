"""Module hooks (forward, forward-pre, always-call, full backward) compared with PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

from ._scale_module import _torch, make_scale


def test_forward_hooks():
    m = make_scale(nt, bias=False)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 10,))
    h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
    h3 = m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(kwargs), with_kwargs=True)
    h4 = m.register_forward_pre_hook(lambda mod, args: calls.append("first"), prepend=True)
    out = m(nt.ones(3))
    np.testing.assert_array_equal(out._data, np.full(3, 21.0))
    assert calls == ["first", {}]
    for h in (h1, h2, h3, h4):
        h.remove()
    np.testing.assert_array_equal(m(nt.ones(3))._data, np.full(3, 2.0))
    assert not m._forward_hooks_with_kwargs

    def kw_pre(mod, args, kwargs):
        return (args[0] + 1,), kwargs
    m.register_forward_pre_hook(kw_pre, with_kwargs=True)
    np.testing.assert_array_equal(m(nt.ones(3))._data, np.full(3, 4.0))


def _always_call_hooks_record(framework, fail_in):
    """What ``always_call`` forward hooks see when ``forward`` or an earlier hook raises (and what is warned)."""
    import warnings
    seen = []

    class Double(framework.nn.Module):
        def forward(self, x):
            if fail_in == "forward":
                raise ValueError("forward failed")
            return x * 2

    def failing_hook(mod, args, out):
        raise ValueError("hook failed")

    def always(mod, args, out):
        seen.append(None if out is None else out.tolist())
        raise KeyError("always failed")

    m = Double()
    if fail_in == "hook":
        m.register_forward_hook(failing_hook)
    m.register_forward_hook(always, always_call=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="failed"):
            m(framework.ones(2))
    return seen, [str(w.message).split(":")[0] for w in caught]


@pytest.mark.parametrize("fail_in", ["forward", "hook"])
def test_always_call_forward_hooks_match_torch(fail_in):
    torch = _torch()
    assert _always_call_hooks_record(nt, fail_in) == _always_call_hooks_record(torch, fail_in)


def test_full_backward_hooks_match_torch():
    torch = _torch()
    x0 = np.array([1.0, -2.0, 3.0])
    results = []
    for fw, mod in ((nt, make_scale(nt)), (torch, make_scale(torch))):
        mod.double()
        seen = {}

        def pre_hook(m, grad_output):
            seen["pre"] = grad_output[0].detach().numpy().copy()
            return (grad_output[0] * 2,)

        def hook(m, grad_input, grad_output):
            seen["grad_input"] = grad_input[0].detach().numpy().copy()
            seen["grad_output"] = grad_output[0].detach().numpy().copy()
            return (grad_input[0] + 1,)

        mod.register_full_backward_pre_hook(pre_hook)
        mod.register_full_backward_hook(hook)
        x = fw.tensor(x0, requires_grad=True)
        out = mod(x)
        (out * fw.tensor([1.0, 2.0, 3.0], dtype=fw.float64)).sum().backward()
        seen["x.grad"] = x.grad.numpy().copy()
        seen["w.grad"] = mod.weight.grad.numpy().copy()
        results.append(seen)
    for key in results[1]:
        np.testing.assert_allclose(results[0][key], results[1][key], err_msg=key)


def test_backward_hook_without_input_grad():
    mod = make_scale(nt).double()
    got = []
    mod.register_full_backward_hook(lambda m, gi, go: got.append((gi, go[0].numpy().copy())))
    mod(nt.tensor(np.ones(3))).sum().backward()
    assert got[0][0] == (None,)
    np.testing.assert_array_equal(got[0][1], np.ones(3))
