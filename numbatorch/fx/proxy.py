"""``Proxy``: the stand-in value symbolic tracing passes through a program, recording each use as a Node."""
import bisect
import dis
import inspect
import operator

__all__ = ["Attribute", "Proxy", "TraceError"]


class TraceError(ValueError):
    """A traced program did something that cannot be recorded (control flow on a traced value, ...)."""


class Proxy:
    """Wraps the ``node`` that computes a value; operators, method calls and attribute reads on it record
    new nodes in the ``tracer``'s graph instead of computing anything."""

    def __init__(self, node, tracer=None):
        self.node = node
        self.tracer = tracer

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
