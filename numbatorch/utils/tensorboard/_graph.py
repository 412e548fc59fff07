"""``add_graph``'s GraphDef: the module structure of a model, traced by running it once.

Every leaf module call is a node named by its place in the hierarchy (``Net/Sequential[body]/Linear[0]``, so
TensorBoard folds containers into expandable scopes), with its class as op, its ``extra_repr`` and output shape
as attributes. Edges follow the data: an input's producer is found by walking the autograd graph back from the
input to the nearest output of an earlier module (functional ops in between, like ``F.relu``, are skipped).
"""
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

__all__ = ["module_graph"]


def _tensors(obj):
    """The tensors in ``obj`` (a tensor or nested lists/tuples/dicts), in order."""
    from ..._tensor import Tensor
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors(o)]
    return []


def _shape_attr(tensors):
    shapes = [TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(s)) for s in t.shape]) for t in tensors]
    return AttrValue(list=AttrValue.ListValue(shape=shapes))


def _module_names(model):
    """Scope name of every module: ``Net/Sequential[body]/Linear[0]``."""
    names = {id(model): type(model).__name__}

    def visit(module, scope):
        for attr, child in module._modules.items():
            if child is None:
                continue
            name = f"{scope}/{type(child).__name__}[{attr}]"
            names.setdefault(id(child), name)
            visit(child, name)

    visit(model, names[id(model)])
    return names


class _Tracer:
    """Records leaf-module calls and links each input to the node that produced it."""

    def __init__(self, model, inputs):
        self.names = _module_names(model)
        self.nodes = []
        self.producer_by_tensor = {}      # id(tensor) -> node name
        self.producer_by_grad_fn = {}     # id(grad_fn) -> node name
        self.keep_alive = []              # keeps the ids above from being reused during the trace
        self.used_names = set()
        scope = type(model).__name__
        for i, t in enumerate(_tensors(inputs)):
            name = f"{scope}/input.{i}"
            self.nodes.append(NodeDef(name=name, op="IO Node", attr={"_output_shapes": _shape_attr([t])}))
            self._mark_output(name, t)

    def _mark_output(self, name, t):
        self.keep_alive.append(t)
        self.producer_by_tensor[id(t)] = name
        if t.grad_fn is not None:
            self.producer_by_grad_fn[id(t.grad_fn)] = name

    def _producers(self, t):
        if id(t) in self.producer_by_tensor:
            return [self.producer_by_tensor[id(t)]]
        found, seen, stack = [], set(), [t.grad_fn] if t.grad_fn is not None else []
        while stack:
            fn = stack.pop()
            if fn is None or id(fn) in seen:
                continue
            seen.add(id(fn))
            if id(fn) in self.producer_by_grad_fn:
                found.append(self.producer_by_grad_fn[id(fn)])
                continue
            stack.extend(next_fn for next_fn, _ in getattr(fn, "next_functions", ()))
        return sorted(set(found), key=found.index)

    def hook(self, module, inputs, outputs):
        name = self.names.get(id(module), type(module).__name__)
        unique, k = name, 1
        while unique in self.used_names:
            unique, k = f"{name}.{k}", k + 1
        self.used_names.add(unique)
        sources = []
        for t in _tensors(inputs):
            sources += [p for p in self._producers(t) if p not in sources]
        outs = _tensors(outputs)
        attr = {"extra_repr": AttrValue(s=module.extra_repr().encode("utf-8")), "_output_shapes": _shape_attr(outs)}
        self.nodes.append(NodeDef(name=unique, op=type(module).__name__, input=sources, attr=attr))
        for t in outs:
            self._mark_output(unique, t)


def module_graph(model, input_to_model=None):
    """GraphDef of ``model`` called on ``input_to_model`` (a tensor or a tuple/list of positional inputs)."""
    from ...autograd import enable_grad
    if input_to_model is None:
        inputs = ()
    elif isinstance(input_to_model, (list, tuple)):
        inputs = tuple(input_to_model)
    else:
        inputs = (input_to_model,)
    tracer = _Tracer(model, inputs)
    handles = [m.register_forward_hook(tracer.hook) for m in model.modules() if not m._modules]
    was_training = model.training
    model.eval()
    try:
        with enable_grad():  # autograd links are what connect the nodes
            outputs = model(*inputs)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    scope = type(model).__name__
    for i, t in enumerate(_tensors(outputs)):
        tracer.nodes.append(NodeDef(name=f"{scope}/output.{i}", op="IO Node", input=tracer._producers(t),
                                    attr={"_output_shapes": _shape_attr([t])}))
    return GraphDef(node=tracer.nodes, versions=VersionDef(producer=22))
