"""numbatorch.fx against torch.fx: the same trace, the same transformation, the same results."""
import numpy as np
import pytest

import numbatorch
import numbatorch.nn as nn
from numbatorch import fx

from ._scripts import check, numbers, run_numbatorch, run_torch, write_script

FX_SCRIPT = """
    import numpy as np
    import torch
    import torch.fx
    import torch.nn as nn
    import torch.nn.functional as F

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 5 * 5, 3))
            self.scale = nn.Parameter(torch.full((3,), 0.5))

        def forward(self, x):
            h = F.relu(self.bn(self.conv(x)))
            h = torch.relu(h + 1.0) * 2
            out = self.head(h) * self.scale
            a, b = out.split([1, 2], dim=1)
            return torch.cat([b, a], dim=1).view(x.size(0), -1)

    rng = np.random.default_rng(0)
    model = Block().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(rng.normal(scale=0.2, size=tuple(p.shape)), dtype=torch.float32))
    x = torch.tensor(rng.normal(size=(2, 2, 5, 5)), dtype=torch.float32)

    gm = torch.fx.symbolic_trace(model)
    print("nodes", " ".join(f"{n.op}:{n.name}" for n in gm.graph.nodes))
    print("traced", *gm(x).detach().flatten().tolist())

    # Transform: every torch.relu / F.relu call becomes sigmoid, inserted before it, then erased.
    for node in list(gm.graph.nodes):
        if node.op == "call_function" and node.target in (torch.relu, F.relu):
            with gm.graph.inserting_before(node):
                new = gm.graph.call_function(torch.sigmoid, node.args[:1])
            node.replace_all_uses_with(new)
            gm.graph.erase_node(node)
    gm.graph.lint()
    gm.recompile()
    print("has_sigmoid", "sigmoid" in gm.code)
    print("transformed", *gm(x).detach().flatten().tolist())

    def pattern(a, b):
        return torch.cat([a, b], dim=1)

    def replacement(a, b):
        return torch.cat([a, b * 0.5], dim=1)

    matches = torch.fx.replace_pattern(gm, pattern, replacement)
    print("matches", len(matches))
    print("rewritten", *gm(x).detach().flatten().tolist())
"""


def test_trace_transform_run_matches_pytorch(tmp_path):
    pytest.importorskip("torch")
    script = write_script(tmp_path, FX_SCRIPT)
    ours, theirs = check(run_numbatorch(script)), check(run_torch(script))
    line = {out: {ln.split(" ", 1)[0]: ln for ln in out.splitlines()} for out in (ours, theirs)}
    assert line[ours]["nodes"] == line[theirs]["nodes"]
    assert line[ours]["has_sigmoid"] == line[theirs]["has_sigmoid"] == "has_sigmoid True"
    assert line[ours]["matches"] == line[theirs]["matches"] == "matches 1"
    for tag in ("traced ", "transformed ", "rewritten "):
        np.testing.assert_allclose(numbers(ours, tag), numbers(theirs, tag), rtol=1e-5, atol=1e-6)


class _TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return numbatorch.relu(self.fc(x)) + x


def test_graph_edits_and_errors():
    gm = fx.symbolic_trace(_TwoLayer())
    relu = next(n for n in gm.graph.nodes if n.op == "call_function" and n.target is numbatorch.relu)
    with pytest.raises(RuntimeError, match="still had 1 users"):
        gm.graph.erase_node(relu.args[0])
    assert fx.node.map_arg((relu, [relu], {"k": 1}), lambda n: n.name) == ("relu", ["relu"], {"k": 1})
    x = numbatorch.randn(4, 3)
    with gm.graph.inserting_after(relu):
        neg = gm.graph.call_function(numbatorch.neg, (relu,))
    relu.replace_all_uses_with(neg, delete_user_cb=lambda user: user is not neg)
    gm.recompile()
    expected = -numbatorch.relu(gm.fc(x)) + x
    np.testing.assert_allclose(gm(x).detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    assert "numbatorch.neg(relu)" in gm.code
    with pytest.raises(fx.TraceError, match="control flow"):
        class Branchy(nn.Module):
            def forward(self, x):
                return x if x.sum() > 0 else -x
        fx.symbolic_trace(Branchy())


def test_print_tabular_matches_pytorch(capsys):
    torch = pytest.importorskip("torch")
    pytest.importorskip("tabulate")

    class TorchTwoLayer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 3)

        def forward(self, x):
            return torch.relu(self.fc(x)) + x

    torch.fx.symbolic_trace(TorchTwoLayer()).graph.print_tabular()
    theirs = capsys.readouterr().out.splitlines()
    fx.symbolic_trace(_TwoLayer()).graph.print_tabular()
    ours = capsys.readouterr().out.splitlines()
    assert ours[0].split() == theirs[0].split()  # the header
    assert len(ours) == len(theirs)
    for mine, other in zip(ours[2:], theirs[2:]):
        assert mine.split()[:2] == other.split()[:2]  # opcode and name of each node


def _interpret_and_transform(lib, model, x):
    """Shapes seen by an Interpreter subclass; nodes and output of a Transformer turning + into *."""
    import operator

    class ShapeRecorder(lib.fx.Interpreter):
        def run_node(self, n):
            result = super().run_node(n)
            self.shapes.append((n.op, n.name, tuple(result.shape) if hasattr(result, "shape") else None))
            return result

    recorder = ShapeRecorder(lib.fx.symbolic_trace(model))
    recorder.shapes = []
    recorder.run(x)

    class AddToMul(lib.fx.Transformer):
        def call_function(self, target, args, kwargs):
            return super().call_function(operator.mul if target is operator.add else target, args, kwargs)

    transformed = AddToMul(lib.fx.symbolic_trace(model)).transform()
    nodes = [(n.op, n.name) for n in transformed.graph.nodes]
    return recorder.shapes, nodes, transformed(x).detach().numpy()


def test_interpreter_and_transformer_match_torch_fx():
    torch = pytest.importorskip("torch")

    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(3, 4)

            def forward(self, x):
                h = self.fc(x)
                return lib.relu(h + 1.0).sum(dim=1) + h.mean()
        return Net()

    theirs_model, ours_model = build(torch), build(numbatorch)
    ours_model.load_state_dict({k: numbatorch.tensor(v.numpy()) for k, v in theirs_model.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 3)).astype(np.float32)
    ours = _interpret_and_transform(numbatorch, ours_model, numbatorch.tensor(x))
    theirs = _interpret_and_transform(torch, theirs_model, torch.tensor(x))
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=1e-6)


class _WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.register_buffer("offset", numbatorch.ones(2))

    def forward(self, x):
        return numbatorch.relu(self.fc(x)) + self.offset


def test_graph_module_copies_and_pickles():
    import copy
    import io

    gm = fx.symbolic_trace(_WithBuffer())
    x = numbatorch.randn(4, 3)
    buffer = io.BytesIO()
    numbatorch.save(gm, buffer)
    buffer.seek(0)
    for clone in (copy.deepcopy(gm), numbatorch.load(buffer, weights_only=False)):
        assert type(clone).__name__ == "_WithBuffer" and clone.graph.owning_module is clone
        assert list(clone.state_dict()) == list(gm.state_dict())
        np.testing.assert_array_equal(clone(x).detach().numpy(), gm(x).detach().numpy())
        with numbatorch.no_grad():
            clone.fc.weight.zero_()  # an independent copy: the original keeps its weights
        assert not np.array_equal(clone(x).detach().numpy(), gm(x).detach().numpy())


class _Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(4, 4)

    def forward(self, x, scale=True):
        import math
        q = self.q(x)
        scores = q @ q.transpose(-2, -1) / math.sqrt(q.size(-1))  # math on a traced size is recorded
        if scale:
            scores = scores * 2
        return scores.softmax(-1)


def test_math_calls_concrete_args_and_dead_code():
    model = _Attention()
    gm = fx.symbolic_trace(model, concrete_args={"scale": False})
    x = numbatorch.randn(2, 3, 4)
    np.testing.assert_allclose(gm(x).detach().numpy(), model(x, False).detach().numpy(), rtol=1e-6)
    assert gm(x, False).shape == (2, 3, 3)
    gm.add_submodule("extra", nn.Linear(4, 4))
    with gm.graph.inserting_after(gm.graph.nodes[0]):
        gm.graph.call_module("extra", (gm.graph.nodes[0],))  # its result is never used
    assert gm.graph.eliminate_dead_code()
    assert "extra" not in [n.target for n in gm.graph.nodes]


def test_graph_built_from_proxies():
    graph = fx.Graph()
    x = fx.Proxy(graph.placeholder("x"), fx.proxy.GraphAppendingTracer(graph))
    y = fx.Proxy(graph.placeholder("y"))  # the node's own graph by default
    graph.output(((x + y) * 2).tanh().neg().node)
    gm = fx.GraphModule(nn.Module(), graph)
    a, b = numbatorch.randn(3), numbatorch.randn(3)
    np.testing.assert_allclose(gm(a, b).numpy(), (-((a + b) * 2).tanh()).numpy(), rtol=1e-6)
    assert [n.op for n in graph.nodes] == ["placeholder", "placeholder", "call_function", "call_function",
                                            "call_method", "call_method", "output"]


def _shape_metadata(lib, model, x):
    from importlib import import_module
    shape_prop = import_module(f"{lib.__name__}.fx.passes.shape_prop")
    gm = lib.fx.symbolic_trace(model)
    shape_prop.ShapeProp(gm).propagate(x)
    rows = []
    for n in gm.graph.nodes:
        meta = n.meta["tensor_meta"]
        rows.append((n.name, tuple(meta.shape), str(meta.dtype).split(".")[-1], meta.requires_grad, meta.stride,
                     str(meta.memory_format).split(".")[-1], n.meta["type"].__name__))
    return rows


def test_shape_prop_matches_torch_fx():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3), lib.nn.ReLU(), lib.nn.Flatten(), lib.nn.Linear(144, 5))

    x = np.random.default_rng(0).normal(size=(2, 3, 8, 8)).astype(np.float32)
    assert (_shape_metadata(numbatorch, build(numbatorch), numbatorch.tensor(x))
            == _shape_metadata(torch, build(torch), torch.tensor(x)))


def _add_length(x):
    return x + len(x)  # len() of a Proxy cannot be traced: fx.wrap keeps this call whole


fx.wrap("_add_length")


class _UsesWrapped(nn.Module):
    def forward(self, x):
        return _add_length(x * 2)


def test_wrap_records_a_function_call():
    gm = fx.symbolic_trace(_UsesWrapped())
    assert [n.target for n in gm.graph.nodes if n.op == "call_function"][-1] is _add_length
    x = numbatorch.randn(3, 2)
    np.testing.assert_allclose(gm(x).numpy(), (x * 2 + 3).numpy(), rtol=1e-6)
