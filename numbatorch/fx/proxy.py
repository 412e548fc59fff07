"""``Proxy``: the stand-in value symbolic tracing passes through a program, recording each use as a Node."""
import bisect
import dis
import inspect
import operator

from .._tensor import Tensor
from ..nn.modules.module import Module

__all__ = ["Attribute", "GraphAppendingTracer", "Proxy", "TraceError", "TracerBase"]


class TraceError(ValueError):
    """A traced program did something that cannot be recorded (control flow on a traced value, ...)."""


class TracerBase:
    """Records nodes into ``graph`` for the Proxies it hands out; ``root`` owns the tensors they use."""

    def __init__(self):
        self.graph = None
        self.root = None
        self._module_names = {}
        self._tensor_names = {}

    def path_of_module(self, mod):
        """The qualified name of submodule ``mod`` inside the traced root."""
        name = self._module_names.get(id(mod))
        if name is None:
            raise NameError("module is not installed as a submodule")
        return name

    def create_arg(self, a):
        """``a`` as a node argument: Proxies become their Nodes, tensors and modules become get_attr nodes."""
        if isinstance(a, Proxy):
            return a.node
        if isinstance(a, Tensor):
            name = self._tensor_names.get(id(a))
            if name is None:
                name = self._constant_name()
                setattr(self.root, name, a)
                self._tensor_names[id(a)] = name
            return self.graph.get_attr(name)
        if isinstance(a, Module):
            return self.graph.get_attr(self.path_of_module(a))
        if isinstance(a, tuple) and hasattr(a, "_fields"):
            return type(a)(*(self.create_arg(x) for x in a))
        if isinstance(a, (tuple, list)):
            return type(a)(self.create_arg(x) for x in a)
        if isinstance(a, dict):
            return {k: self.create_arg(v) for k, v in a.items()}
        if isinstance(a, slice):
            return slice(self.create_arg(a.start), self.create_arg(a.stop), self.create_arg(a.step))
        return a

    def _constant_name(self):
        index = 0
        while hasattr(self.root, f"_tensor_constant{index}"):
            index += 1
        return f"_tensor_constant{index}"

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        """Insert a node in the graph being traced."""
        return self.graph.create_node(kind, target, args, kwargs, name, type_expr)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
        """Record a node whose arguments are ``args``/``kwargs`` (converted by ``create_arg``); its Proxy."""
        node = self.create_node(kind, target, self.create_arg(tuple(args)), self.create_arg(dict(kwargs)), name,
                                type_expr)
        return self.proxy(node) if proxy_factory_fn is None else proxy_factory_fn(node)

    def proxy(self, node):
        """The Proxy standing for ``node``'s value."""
        return Proxy(node, self)



class GraphAppendingTracer(TracerBase):
    """Appends the nodes that operations on its Proxies record to an existing ``graph``."""

    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        self.root = Module()


class Proxy:
    """Wraps the ``node`` that computes a value; operators, method calls and attribute reads on it record
    new nodes in the ``tracer``'s graph (by default, the node's own graph) instead of computing anything.

    numbatorch's free functions (``numbatorch.cat``, ``F.relu``) record nodes for Proxies only while
    ``symbolic_trace`` runs, which is when it routes them here; elsewhere use the Tensor-method forms."""

    def __init__(self, node, tracer=None):
        self.node = node
        self.tracer = GraphAppendingTracer(node.graph) if tracer is None else tracer

    def __repr__(self):
        return f"Proxy({self.node.name})"

    def __getattr__(self, name):
        return Attribute(self, name)

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", "__call__", (self,) + args, kwargs)

    def __iter__(self):
        # ``a, b = proxy`` compiles to UNPACK_SEQUENCE n: the count tells how many items to record.
        frame = inspect.currentframe().f_back
        instructions = list(dis.get_instructions(frame.f_code))
        index = bisect.bisect_left([i.offset for i in instructions], frame.f_lasti)
        if index < len(instructions) and instructions[index].opname == "UNPACK_SEQUENCE":
            return (self[i] for i in range(instructions[index].argval))
        raise TraceError("Proxy object cannot be iterated. This can be attempted when the Proxy is used in a loop "
                         "or as a *args or **kwargs function argument. See the torch.fx docs on "
                         "pytorch.org for a more detailed explanation of what types of control flow can be "
                         "traced, and check out the Proxy docstring for help troubleshooting Proxy iteration "
                         "errors")

    def __bool__(self):
        raise TraceError("symbolically traced variables cannot be used as inputs to control flow")

    def __len__(self):
        raise RuntimeError("'len' is not supported in symbolic tracing by default. If you want this call to be "
                           "recorded, please call torch.fx.wrap('len') at module scope")

    def keys(self):
        """Record ``proxy.keys()`` (so ``**proxy`` unpacking can be traced)."""
        return self.tracer.create_proxy("call_method", "keys", (self,), {})


class Attribute(Proxy):
    """``proxy.name``: a method call when called, otherwise a ``getattr`` node (created on first use)."""

    def __init__(self, root, attr):
        self.root = root
        self.attr = attr
        self.tracer = root.tracer
        self._node = None

    @property
    def node(self):
        if self._node is None:
            self._node = self.tracer.create_proxy("call_function", getattr, (self.root, self.attr), {}).node
        return self._node

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", self.attr, (self.root,) + args, kwargs)


_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "lshift", "rshift", "and_", "or_",
           "xor")
_COMPARISON = ("lt", "le", "gt", "ge", "eq", "ne")
_UNARY = ("neg", "pos", "invert", "abs")


def _define_magic(name):
    fn = getattr(operator, name)
    dunder = f"__{name.rstrip('_')}__"

    def forward(self, *args):
        return self.tracer.create_proxy("call_function", fn, (self,) + args, {})
    setattr(Proxy, dunder, forward)
    if name in _BINARY:
        def reflected(self, other):
            return self.tracer.create_proxy("call_function", fn, (other, self), {})
        setattr(Proxy, f"__r{name.rstrip('_')}__", reflected)


for _name in _BINARY + _COMPARISON + _UNARY + ("getitem", "setitem"):
    _define_magic(_name)
Proxy.__hash__ = object.__hash__  # __eq__ records a node; identity hashing keeps proxies usable as keys
