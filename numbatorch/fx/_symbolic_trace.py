"""Symbolic tracing: run a Module's ``forward`` on Proxies and record what it does as a ``Graph``.

While tracing, ``Module.__call__`` records calls of leaf modules (numbatorch's own layers) as ``call_module``
nodes instead of running them; reading a parameter or buffer records a ``get_attr`` node; numbatorch's
functions (``numbatorch.*``, ``nn.functional.*``, ``linalg.*``, and the same functions imported into the
traced code's module, and ``math``'s) record ``call_function`` nodes when given a Proxy; Tensor methods and operators on
Proxies record ``call_method``/``call_function`` nodes. Everything is restored when tracing ends.
"""
import builtins
import functools
import inspect
import math
import types

from .._tensor import Tensor
from ..nn.modules.container import Sequential
from ..nn.modules.module import Module
from .graph import Graph
from .node import map_aggregate
from .proxy import Proxy, TracerBase

__all__ = ["Tracer", "symbolic_trace", "wrap"]

_TENSOR_OPERATORS = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
                     "lshift", "rshift", "lt", "le", "gt", "ge", "eq", "ne")
_wrapped_globals = []  # (globals dict, name) registered by wrap()


def wrap(fn_or_name):
    """Record calls of a module-level function as ``call_function`` nodes instead of tracing through it.

    Call at module scope with the function or its name; returns it unchanged."""
    frame = inspect.currentframe().f_back
    if frame.f_code.co_name != "<module>":
        raise NotImplementedError("wrap must be called at the top level of a module")
    name = fn_or_name if isinstance(fn_or_name, str) else fn_or_name.__name__
    _wrapped_globals.append((frame.f_globals, name))
    return fn_or_name


def _find_tracer(args, kwargs):
    found = []

    def look(x):
        if isinstance(x, Proxy) and not found:
            found.append(x.tracer)
        return x
    map_aggregate((args, kwargs), look)
    return found[0] if found else None


def _recording(fn):
    """``fn``, recording a call_function node instead of running it when a Proxy is among its arguments."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        tracer = _find_tracer(args, kwargs)
        if tracer is None:
            return fn(*args, **kwargs)
        return tracer.create_proxy("call_function", fn, args, kwargs)
    wrapped.__fx_original__ = fn
    return wrapped


def _defers_to_proxy(method):
    """A Tensor operator that leaves ``tensor <op> proxy`` to the Proxy's reflected operator."""
    @functools.wraps(method)
    def wrapped(self, other):
        if isinstance(other, Proxy):
            return NotImplemented
        return method(self, other)
    return wrapped


class _Patcher:
    """Replaces attributes for the duration of a trace and puts every original back afterwards."""

    def __init__(self):
        self._undo = []

    def set(self, owner, name, value):
        if isinstance(owner, dict):
            self._undo.append((owner, name, owner[name]))
            owner[name] = value
        else:
            self._undo.append((owner, name, owner.__dict__[name]))
            setattr(owner, name, value)

    def restore(self):
        for owner, name, value in reversed(self._undo):
            if isinstance(owner, dict):
                owner[name] = value
            else:
                setattr(owner, name, value)
        self._undo.clear()


class Tracer(TracerBase):
    """Turns a Module (or function) into a ``Graph`` by running it on Proxies; subclass to choose leaf modules."""

    def __init__(self, autowrap_modules=(math,), autowrap_functions=(), param_shapes_constant=False):
        super().__init__()
        self._autowrap_modules = tuple(autowrap_modules)
        self._autowrap_functions = tuple(autowrap_functions)

    # ---- what becomes a node ----------------------------------------------------------------------
    def is_leaf_module(self, m, module_qualified_name):
        """numbatorch's own layers are leaves (one call_module node); Sequential and user modules are traced."""
        return type(m).__module__.startswith("numbatorch.nn") and not isinstance(m, Sequential)

    def call_module(self, m, forward, args, kwargs):
        """Record a leaf module call as a call_module node; trace into any other module's ``forward``."""
        qualname = self.path_of_module(m)
        if not self.is_leaf_module(m, qualname):
            return forward(*args, **kwargs)
        return self.create_proxy("call_module", qualname, args, kwargs)

    def getattr(self, attr, attr_val, parameter_proxy_cache):
        """A get_attr Proxy for a parameter or buffer of the root read as a module attribute."""
        if isinstance(attr_val, Tensor) and id(attr_val) in self._tensor_names:
            key = id(attr_val)
            if key not in parameter_proxy_cache:
                parameter_proxy_cache[key] = self.create_proxy("get_attr", self._tensor_names[key], (), {})
            return parameter_proxy_cache[key]
        return attr_val

    # ---- tracing ----------------------------------------------------------------------------------
    def trace(self, root, concrete_args=None):
        """The Graph of ``root`` (a Module's ``forward`` or a function); ``concrete_args`` fixes some inputs."""
        if isinstance(root, Module):
            self.root = root
            fn = type(root).forward
            self_args = [root]
        else:
            self.root = Module()
            fn = root
            self_args = []
        self.graph = Graph(tracer_cls=type(self))
        self._module_names = {}
        for name, module in self.root.named_modules(remove_duplicate=False):
            self._module_names.setdefault(id(module), name)
        self._tensor_names = {}
        for name, tensor in list(self.root.named_parameters()) + list(self.root.named_buffers()):
            self._tensor_names.setdefault(id(tensor), name)
        concrete_args = concrete_args or {}
        args = list(self_args)
        parameters = list(inspect.signature(fn).parameters.values())[len(self_args):]
        for parameter in parameters:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise NotImplementedError(f"numbatorch does not implement torch.fx tracing of *args/**kwargs "
                                          f"inputs yet ('{parameter.name}' of {fn.__qualname__})")
            if parameter.name in concrete_args:
                # The input stays in the signature (callers may still pass it) but the trace uses the value.
                value = concrete_args[parameter.name]
                self.create_proxy("placeholder", parameter.name, (value,), {})
                args.append(value)
                continue
            default = () if parameter.default is parameter.empty else (parameter.default,)
            args.append(self.create_proxy("placeholder", parameter.name, default, {}))
        patcher = _Patcher()
        try:
            self._patch(patcher, fn)
            result = fn(*args)
        finally:
            patcher.restore()
        self.create_node("output", "output", (self.create_arg(result),), {})
        return self.graph

    def _patch(self, patcher, fn):
        import numbatorch
        tracer = self
        original_call = Module.__call__
        original_getattr = Module.__getattr__
        proxy_cache = {}

        def module_call(mod, *args, **kwargs):
            return tracer.call_module(mod, lambda *a, **k: original_call(mod, *a, **k), args, kwargs)

        def module_getattr(mod, name):
            return tracer.getattr(name, original_getattr(mod, name), proxy_cache)

        patcher.set(Module, "__call__", module_call)
        patcher.set(Module, "__getattr__", module_getattr)
        for op in _TENSOR_OPERATORS:
            for dunder in (f"__{op}__", f"__r{op}__"):
                if dunder in Tensor.__dict__:
                    patcher.set(Tensor, dunder, _defers_to_proxy(Tensor.__dict__[dunder]))
        namespaces = [numbatorch, numbatorch.nn.functional, numbatorch.linalg, *self._autowrap_modules]
        wrappers = {}
        for namespace in namespaces:
            for name, value in list(vars(namespace).items()):
                if name.startswith("_") or not isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
                    continue
                if id(value) not in wrappers:
                    wrappers[id(value)] = _recording(value)
                patcher.set(namespace, name, wrappers[id(value)])
        for function in self._autowrap_functions:
            wrappers.setdefault(id(function), _recording(function))
        # The traced code may have imported those functions under its own names (``from ... import relu``).
        scopes = {id(fn.__globals__): fn.__globals__}
        for module in self.root.modules():
            forward = getattr(type(module).forward, "__globals__", None)
            if forward is not None:
                scopes[id(forward)] = forward
        for scope in scopes.values():
            for name, value in list(scope.items()):
                if id(value) in wrappers and scope is not vars(numbatorch):
                    patcher.set(scope, name, wrappers[id(value)])
        for scope, name in _wrapped_globals:
            value = scope.get(name, getattr(builtins, name, None))
            if value is not None:
                scope.setdefault(name, value)
                patcher.set(scope, name, _recording(value))


def symbolic_trace(root, concrete_args=None):
    """Trace ``root`` (a Module or function) into a ``GraphModule`` that runs the recorded graph."""
    from .graph_module import GraphModule
    tracer = Tracer()
    graph = tracer.trace(root, concrete_args)
    name = root.__class__.__name__ if isinstance(root, Module) else root.__name__
    return GraphModule(tracer.root, graph, name)
