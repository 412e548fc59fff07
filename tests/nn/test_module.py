"""Module and Parameter compared with PyTorch on equivalent structures (hooks: ``test_module_hooks``, containers:
``test_containers``)."""
import copy
import pickle

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn.modules.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from numbatorch.nn.modules.module import Module
from numbatorch.nn.parameter import Buffer, Parameter

from ._scale_module import _torch, make_scale


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


def test_parameter_basics():
    p = Parameter(nt.ones(2))
    assert p.requires_grad and p.is_leaf and isinstance(p, nt.Tensor)
    q = Parameter(nt.ones(2), requires_grad=False)
    assert not q.requires_grad
    assert Parameter().shape == (0,)
    assert type(p * 2) is nt.Tensor
