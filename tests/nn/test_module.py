"""Module, Parameter and containers compared with PyTorch on equivalent structures."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn.modules.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from numbatorch.nn.modules.module import Module
from numbatorch.nn.parameter import Buffer, Parameter


def _torch():
    return pytest.importorskip("torch")


def make_scale(framework, n=3, bias=True):
    """The same tiny custom module in both frameworks: y = x * weight (+ bias), with a buffer."""
    nn = framework.nn if hasattr(framework, "nn") and hasattr(framework.nn, "Module") else None
    base = nn.Module if nn is not None else Module
    param = nn.Parameter if nn is not None else Parameter

    class Scale(base):
        def __init__(self):
            super().__init__()
            self.weight = param(framework.ones(n) * 2)
            if bias:
                self.bias = param(framework.zeros(n))
            else:
                self.register_parameter("bias", None)
            self.register_buffer("count", framework.zeros(1))
            self.register_buffer("scratch", framework.zeros(1), persistent=False)

        def forward(self, x):
            y = x * self.weight
            return y if self.bias is None else y + self.bias

        def extra_repr(self):
            return f"n={n}, bias={self.bias is not None}"

    return Scale()


def build(framework):
    """Sequential(Scale, ModuleList([Scale, Scale]), ModuleDict({'head': Scale(no bias)})) in either framework."""
    if framework is nt:
        seq, mlist, mdict = Sequential, ModuleList, ModuleDict
    else:
        seq, mlist, mdict = framework.nn.Sequential, framework.nn.ModuleList, framework.nn.ModuleDict
    return seq(make_scale(framework), mlist([make_scale(framework), make_scale(framework)]),
               mdict({"head": make_scale(framework, bias=False)}))


def norm(text):
    return text.replace("numbatorch.", "torch.")


def test_registration_and_iteration_match_torch():
    torch = _torch()
    ours, theirs = build(nt), build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict().keys()) == list(theirs.state_dict().keys())
    assert list(ours.state_dict()._metadata.keys()) == list(theirs.state_dict()._metadata.keys())
    assert [n for n, _ in ours.named_parameters(prefix="m", recurse=False)] == []
    assert [n for n, _ in ours[0].named_parameters(prefix="m")] == ["m.weight", "m.bias"]


def test_shared_parameters_counted_once():
    a = make_scale(nt)
    seq = Sequential(a, a)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 2


def test_repr_matches_torch():
    torch = _torch()
    assert norm(repr(build(nt))) == repr(build(torch))
    plist = [np.zeros((2, 3), np.float32), np.ones(4, np.float32)]
    ours = ParameterList([nt.tensor(plist[0]), Parameter(nt.tensor(plist[1]))])
    theirs = torch.nn.ParameterList([torch.tensor(plist[0]), torch.nn.Parameter(torch.tensor(plist[1]))])
    assert norm(repr(ours)) == repr(theirs)
    ours = ParameterDict({"b": nt.tensor(plist[0]), "a": nt.tensor(plist[1])})
    theirs = torch.nn.ParameterDict({"b": torch.tensor(plist[0]), "a": torch.tensor(plist[1])})
    assert norm(repr(ours)) == repr(theirs)
    assert repr(Parameter(nt.tensor([1.0, 2.0]))) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(ModuleList()) == repr(torch.nn.ModuleList())


def test_load_state_dict_roundtrip_and_errors_match_torch():
    torch = _torch()
    ours, theirs = build(nt), build(torch)
    sd = ours.state_dict()
    sd["0.weight"] = nt.tensor(np.arange(3, dtype=np.float32))
    result = ours.load_state_dict(sd)
    assert repr(result) == repr(theirs.load_state_dict(theirs.state_dict())) == "<All keys matched successfully>"
    np.testing.assert_array_equal(ours[0].weight._data, np.arange(3, dtype=np.float32))

    def broken(m, fw):
        sd = m.state_dict()
        del sd["1.0.bias"]
        sd["extra"] = fw.zeros(1)
        sd["2.head.weight"] = fw.zeros(5)
        return sd

    with pytest.raises(RuntimeError) as ours_err:
        ours.load_state_dict(broken(ours, nt))
    with pytest.raises(RuntimeError) as theirs_err:
        theirs.load_state_dict(broken(theirs, torch))
    assert norm(str(ours_err.value)) == str(theirs_err.value)
    sd_ours, sd_theirs = ours.state_dict(), theirs.state_dict()
    del sd_ours["0.bias"], sd_theirs["0.bias"]
    sd_ours["zzz"], sd_theirs["zzz"] = nt.zeros(1), torch.zeros(1)
    assert tuple(ours.load_state_dict(sd_ours, strict=False)) == tuple(theirs.load_state_dict(sd_theirs, strict=False))
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        ours.load_state_dict([1, 2])


def test_state_dict_keep_vars_and_detach():
    m = make_scale(nt)
    assert m.state_dict(keep_vars=True)["weight"] is m.weight
    detached = m.state_dict()["weight"]
    assert not detached.requires_grad and detached._data is m.weight._data
    assert "scratch" not in m.state_dict()


def test_setattr_rules_and_errors():
    torch = _torch()
    for fw, mod_cls in ((nt, Module), (torch, torch.nn.Module)):
        m = mod_cls()
        with pytest.raises(KeyError) as e:
            m.register_buffer("a.b", None)
        err_dot = str(e.value)
        m.register_parameter("w", None)
        with pytest.raises(TypeError) as e:
            m.w = fw.zeros(2)
        err_assign = str(e.value)
        m.x = 3
        with pytest.raises(KeyError) as e:
            m.register_buffer("x", fw.zeros(1))
        if fw is nt:
            ours = (err_dot, norm(err_assign), str(e.value))
        else:
            assert ours == (err_dot, err_assign, str(e.value))
    m = Module()
    m.p = Parameter(nt.zeros(2))
    m.p = None
    assert "p" in m._parameters and m.p is None
    m.buf = Buffer(nt.ones(2), persistent=False)
    assert "buf" in m._buffers and "buf" not in m.state_dict()
    del m.buf
    assert "buf" not in m._buffers
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        m(1)
    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        class Bad(Module):
            def __init__(self):
                self.w = Parameter(nt.zeros(1))
        Bad()


def test_get_submodule_parameter_buffer():
    torch = _torch()
    ours, theirs = build(nt), build(torch)
    assert ours.get_submodule("1.0") is ours[1][0]
    assert ours.get_parameter("2.head.weight") is ours[2]["head"].weight
    assert ours.get_buffer("0.count") is ours[0].count
    for target in ("1.5", "0.weight.x"):
        with pytest.raises(AttributeError) as a:
            ours.get_submodule(target)
        with pytest.raises(AttributeError) as b:
            theirs.get_submodule(target)
        assert str(a.value) == str(b.value)


def test_train_eval_zero_grad_requires_grad_apply():
    m = build(nt)
    m.eval()
    assert all(not mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    for p in m.parameters():
        p.grad = nt.ones(*p.shape)
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad._data == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Sequential" and len(seen) == 7


def test_dtype_conversion_keeps_parameter_identity():
    m = make_scale(nt)
    w = m.weight
    w.grad = nt.ones(3)
    m.double()
    assert m.weight is w and isinstance(w, Parameter) and w.dtype is nt.float64 and w.grad.dtype is nt.float64
    assert m.count.dtype is nt.float64
    m.to(nt.float32)
    assert m.weight is w and w.dtype is nt.float32
    m.half()
    assert w.dtype is nt.float16
    m.float()
    m.register_buffer("steps", nt.tensor([1, 2]))
    m.double()
    assert m.steps.dtype is nt.int64
    with pytest.raises(TypeError, match="only accepts floating point"):
        m.to(nt.int64)
    assert m.cpu() is m and m.to("cpu") is m


class Picklable(Module):
    """Module-level (so pickle can find it) module with a parameter, a buffer and a child."""

    def __init__(self):
        super().__init__()
        self.weight = Parameter(nt.ones(3))
        self.register_buffer("count", nt.zeros(1))
        self.child = Sequential(Module())


def test_deepcopy_and_pickle():
    m = Sequential(Picklable(), Picklable())
    m[0].weight._data[:] = 5
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone[0].weight, Parameter) and clone[0].weight.requires_grad
        assert clone[0].weight is not m[0].weight
        np.testing.assert_array_equal(clone[0].weight._data, m[0].weight._data)
        assert list(clone.state_dict()) == list(m.state_dict())
        assert repr(clone) == repr(m)
    shared = Sequential(m[0], m[0])
    clone = copy.deepcopy(shared)
    assert clone[0] is clone[1]


def test_dir_lists_members():
    m = make_scale(nt)
    names = dir(m)
    assert "weight" in names and "count" in names and "forward" in names
    assert "0" not in dir(Sequential(make_scale(nt)))


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


# ---- containers ---------------------------------------------------------------------------------------
def test_sequential_behaviour_matches_torch():
    torch = _torch()
    mods = [make_scale(nt) for _ in range(4)]
    seq = Sequential(*mods)
    assert len(seq) == 4 and seq[-1] is mods[3] and list(seq) == mods
    part = seq[1:3]
    assert isinstance(part, Sequential) and list(part) == mods[1:3] and list(part._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        seq[4]
    extra = make_scale(nt)
    seq.append(extra)
    seq.insert(0, make_scale(nt))
    assert seq[1] is mods[0] and seq[5] is extra
    assert seq.pop(0) is not mods[0]
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2", "3"] and seq[0] is mods[1]
    seq.extend([make_scale(nt)])
    assert len(seq) == 5 and len(seq + Sequential(extra)) == 6 and len(seq * 2) == 10
    named = Sequential(OrderedDict([("a", mods[0]), ("b", mods[1])]))
    assert named.a is mods[0] and list(named._modules) == ["a", "b"]
    out = Sequential(make_scale(nt, bias=False), make_scale(nt, bias=False))(nt.ones(3))
    np.testing.assert_array_equal(out._data, np.full(3, 4.0))
    tseq = torch.nn.Sequential(torch.nn.Identity())
    with pytest.raises(ValueError) as theirs:
        tseq + 1
    with pytest.raises(ValueError) as ours:
        seq + 1
    assert str(ours.value) == str(theirs.value)


def test_modulelist_moduledict():
    mods = [make_scale(nt) for _ in range(3)]
    ml = ModuleList(mods)
    assert len(ml) == 3 and ml[-1] is mods[2] and isinstance(ml[:2], ModuleList)
    ml.insert(1, make_scale(nt))
    assert ml[2] is mods[1]
    del ml[1]
    assert list(ml) == mods and list(ml._modules) == ["0", "1", "2"]
    ml += [make_scale(nt)]
    assert len(ml) == 4 and len(list(ml.parameters())) == 8
    md = ModuleDict({"b": mods[0], "a": mods[1]})
    assert list(md.keys()) == ["b", "a"] and "a" in md and md["a"] is mods[1]
    md["c"] = mods[2]
    assert md.pop("b") is mods[0] and list(md) == ["a", "c"]
    md.update([("d", make_scale(nt))])
    assert len(md) == 3
    md.clear()
    assert len(md) == 0


def test_parameterlist_parameterdict():
    pl = ParameterList([nt.zeros(2), nt.ones(3)])
    assert all(isinstance(p, Parameter) for p in pl) and len(pl) == 2
    pl.append(nt.zeros(1))
    assert len(list(pl.parameters())) == 3 and isinstance(pl[0:2], ParameterList)
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl()
    pd = ParameterDict({"b": nt.zeros(2), "a": nt.ones(2)})
    assert list(pd.keys()) == ["a", "b"]  # a plain dict is sorted, as in PyTorch
    assert isinstance(pd["a"], Parameter) and "a" in pd
    pd["c"] = Parameter(nt.zeros(1))
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    assert pd.pop("a") is not None and len(pd) == 2
    with pytest.raises(TypeError, match="not a string"):
        pd[1]


def test_parameter_basics():
    p = Parameter(nt.ones(2))
    assert p.requires_grad and p.is_leaf and isinstance(p, nt.Tensor)
    q = Parameter(nt.ones(2), requires_grad=False)
    assert not q.requires_grad
    assert Parameter().shape == (0,)
    assert type(p * 2) is nt.Tensor
