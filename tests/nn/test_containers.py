"""Containers (Sequential, ModuleList/Dict, ParameterList/Dict) compared with PyTorch."""
from collections import OrderedDict

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.nn.modules.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from numbatorch.nn.parameter import Parameter

from ._scale_module import _torch, make_scale


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
