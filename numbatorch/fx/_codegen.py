"""Python source for a ``Graph``: one statement per node, as ``GraphModule.code`` shows and runs."""
import builtins
import math
import operator

from .node import Node

__all__ = ["PythonCode", "python_code"]

_BINARY = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
           operator.floordiv: "//", operator.mod: "%", operator.pow: "**", operator.matmul: "@",
           operator.lshift: "<<", operator.rshift: ">>", operator.and_: "&", operator.or_: "|",
           operator.xor: "^", operator.lt: "<", operator.le: "<=", operator.gt: ">", operator.ge: ">=",
           operator.eq: "==", operator.ne: "!="}
_UNARY = {operator.neg: "-", operator.pos: "+", operator.invert: "~", operator.not_: "not "}
_LITERALS = (bool, int, str, type(None), type(...))


class PythonCode:
    """``src``: the function's source; ``globals``: the names it refers to besides its arguments."""

    def __init__(self, src, globals):
        self.src = src
        self.globals = globals


class _Namespace:
    """The globals of the generated code: modules by their names, other objects under fresh names."""

    def __init__(self, reserved):
        import numbatorch
        from .._alias_import import is_installed
        # Under ``python -m numbatorch run`` the code reads as PyTorch's does: ``torch.relu(x)``.
        self.top = "torch" if is_installed() else "numbatorch"
        self.globals = {self.top: numbatorch, "inf": math.inf, "nan": math.nan}
        self._ids = {}
        self._reserved = reserved  # the node names: locals of the generated function

    def function(self, fn):
        """An expression naming ``fn``: ``numbatorch.nn.functional.relu``, ``getattr``, or a fresh name."""
        name = getattr(fn, "__name__", None)
        if getattr(fn, "__module__", None) == "builtins" and getattr(builtins, name or "", None) is fn:
            return name
        import numbatorch
        homes = {"numbatorch.nn.functional": numbatorch.nn.functional, "numbatorch.linalg": numbatorch.linalg,
                 "numbatorch": numbatorch}
        for home, module in homes.items():
            if name and getattr(module, name, None) is fn:
                return f"{self.top}{home[len('numbatorch'):]}.{name}"
        return self.constant(fn, name or "fn")

    def constant(self, value, hint="_const"):
        key = id(value)
        if key not in self._ids:
            name = hint if hint.isidentifier() else "_const"
            count = 0
            while name in self.globals or name in self._reserved:
                count += 1
                name = f"_{hint}_{count}" if hint.isidentifier() else f"_const_{count}"
            self.globals[name] = value
            self._ids[key] = name
        return self._ids[key]


def _attribute_path(base, qualname):
    expr = base
    for part in qualname.split("."):
        expr = f"{expr}.{part}" if part.isidentifier() else f"getattr({expr}, {part!r})"
    return expr


def _format(arg, names):
    if isinstance(arg, Node):
        return arg.name
    if isinstance(arg, tuple):
        if hasattr(arg, "_fields"):
            return names.constant(type(arg), type(arg).__name__) + "(" + ", ".join(_format(a, names) for a in arg) + ")"
        inner = ", ".join(_format(a, names) for a in arg)
        return f"({inner},)" if len(arg) == 1 else f"({inner})"
    if isinstance(arg, list):
        return "[" + ", ".join(_format(a, names) for a in arg) + "]"
    if isinstance(arg, dict):
        return "{" + ", ".join(f"{_format(k, names)}: {_format(v, names)}" for k, v in arg.items()) + "}"
    if isinstance(arg, slice):
        return f"slice({_format(arg.start, names)}, {_format(arg.stop, names)}, {_format(arg.step, names)})"
    if isinstance(arg, float):
        return repr(arg)  # inf and nan are in the globals
    if isinstance(arg, _LITERALS):
        return repr(arg)
    return names.constant(arg, "_" + type(arg).__name__.lower())


def _call_args(args, kwargs, names):
    parts = [_format(a, names) for a in args] + [f"{k} = {_format(v, names)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def python_code(graph, root_module):
    """The source of ``def forward(self, <placeholders>)`` computing ``graph`` and the globals it needs."""
    names = _Namespace({node.name for node in graph.nodes})
    params, body = [], []
    for node in graph.nodes:
        if node.op == "placeholder":
            params.append(node.name if not node.args else f"{node.name} = {_format(node.args[0], names)}")
        elif node.op == "get_attr":
            body.append(f"{node.name} = {_attribute_path(root_module, node.target)}")
        elif node.op == "call_module":
            body.append(f"{node.name} = {_attribute_path(root_module, node.target)}"
                        f"({_call_args(node.args, node.kwargs, names)})")
        elif node.op == "call_method":
            body.append(f"{node.name} = {_format(node.args[0], names)}.{node.target}"
                        f"({_call_args(node.args[1:], node.kwargs, names)})")
        elif node.op == "call_function":
            body.append(f"{node.name} = {_function_call(node, names)}")
        elif node.op == "output":
            body.append(f"return {_format(node.args[0], names)}")
    if not body or not body[-1].startswith("return"):
        body.append("return None")
    signature = ", ".join([root_module] + params)
    src = f"\n\n\ndef forward({signature}):\n" + "".join(f"    {line}\n" for line in body)
    return PythonCode(src, names.globals)


def _function_call(node, names):
    target, args, kwargs = node.target, node.args, node.kwargs
    if not kwargs and target in _BINARY and len(args) == 2:
        return f"{_format(args[0], names)} {_BINARY[target]} {_format(args[1], names)}"
    if not kwargs and target in _UNARY and len(args) == 1:
        return f"{_UNARY[target]}{_format(args[0], names)}"
    if target is operator.getitem and not kwargs and len(args) == 2:
        return f"{_format(args[0], names)}[{_format(args[1], names)}]"
    if target is builtins.getattr and not kwargs and len(args) == 2 and isinstance(args[1], str) \
            and args[1].isidentifier():
        return f"{_format(args[0], names)}.{args[1]}"
    return f"{names.function(target)}({_call_args(args, kwargs, names)})"
